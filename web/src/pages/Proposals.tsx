import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useMutation, useQuery } from "urql";
import { useParticipation } from "../api/participation";
import { Pager, useCursorPages } from "../components/Pager";
import { Loading, MutationProblem, Problem, Undone } from "../components/Problem";
import { graphql } from "../gql";

const ProposalsQuery = graphql(`
  query Proposals($programId: ID!, $after: String) {
    matches(programId: $programId, status: PROPOSED, first: 20, after: $after) {
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        status
        score
        reasons
        expiresAt
        mentee {
          participantId
          name
        }
        menteeMustAccept
        menteeAcceptedAt
        mentorAcceptedAt
        mentor {
          participantId
        }
      }
    }
  }
`);

const Accept = graphql(`
  mutation AcceptMatch($id: ID!) {
    acceptMatch(matchId: $id) {
      __typename
      ... on Match {
        id
        status
        mentorAcceptedAt
      }
      ... on MutationError {
        message
      }
    }
  }
`);

const Decline = graphql(`
  mutation DeclineMatch($id: ID!, $reason: String) {
    declineMatch(matchId: $id, reason: $reason) {
      __typename
      ... on Match {
        id
        status
      }
      ... on MutationError {
        message
      }
    }
  }
`);

function Proposal({
  id,
  status,
  name,
  score,
  reasons,
  expiresAt,
  menteeMustAccept,
  menteeAccepted,
  mentorAccepted,
}: {
  id: string;
  status: string;
  name: string;
  score: number | null | undefined;
  reasons: string[];
  expiresAt: string;
  menteeMustAccept: boolean;
  menteeAccepted: boolean;
  mentorAccepted: boolean;
}) {
  const { t, i18n } = useTranslation();
  const [reason, setReason] = useState("");
  const [accepting, accept] = useMutation(Accept);
  const [declining, decline] = useMutation(Decline);
  const answer = accepting.data?.acceptMatch ?? declining.data?.declineMatch;
  const busy = accepting.fetching || declining.fetching;
  return (
    <li className="card">
      <h2>{name}</h2>
      <p>
        {score !== null && score !== undefined
          ? t("suggestions.score", { score: score.toFixed(1) })
          : null}
        {" · "}
        {t("proposals.expires", {
          date: new Intl.DateTimeFormat(i18n.language, { dateStyle: "medium" }).format(
            new Date(expiresAt),
          ),
        })}
      </p>
      {menteeMustAccept ? (
        <p>{t(menteeAccepted ? "proposals.menteeAccepted" : "proposals.menteeToo")}</p>
      ) : null}
      <h3>{t("proposals.why")}</h3>
      <ul>
        {reasons.map((r, i) => (
          <li key={i}>{r}</li>
        ))}
      </ul>
      {status === "DECLINED" ? (
        <p role="status">{t("proposals.declined")}</p>
      ) : status === "ACTIVE" ? (
        <p role="status">{t("proposals.accepted")}</p>
      ) : mentorAccepted ? (
        <p role="status">{t("proposals.waitingMentee")}</p>
      ) : (
        <>
          <button type="button" disabled={busy} onClick={() => void accept({ id })}>
            {t("proposals.accept")}
          </button>{" "}
          <label>
            {t("proposals.reason")}{" "}
            <input value={reason} onChange={(e) => setReason(e.target.value)} maxLength={500} />
          </label>{" "}
          <button
            type="button"
            disabled={busy}
            onClick={() => void decline({ id, reason: reason || null })}
          >
            {t("proposals.decline")}
          </button>
        </>
      )}
      <Problem error={accepting.error ?? declining.error} />
      <MutationProblem result={answer} />
      <Undone error={accepting.error ?? declining.error} result={answer} />
    </li>
  );
}

/** The proposals waiting for me (a mentor) in the program I chose, each with why it was
 * proposed, and whether the mentee must accept too. An answer shows at once (the cache's
 * optimistic update) and stays on the page until the list is fetched again; one that could not
 * be saved is shown as it was, and says so. */
export function Proposals() {
  const { t } = useTranslation();
  const { chosen } = useParticipation();
  const pages = useCursorPages();
  const [result] = useQuery({
    query: ProposalsQuery,
    variables: { programId: chosen?.program.id ?? "", after: pages.after },
    pause: !chosen,
  });
  if (result.fetching && !result.data) return <Loading />;
  const mine = (result.data?.matches?.nodes ?? []).filter(
    (m) => m.mentor.participantId === chosen?.participantId,
  );
  return (
    <>
      <h1>{t("proposals.heading")}</h1>
      <Problem error={result.error} />
      {mine.length === 0 ? <p>{t("proposals.none")}</p> : null}
      <ul className="cards">
        {mine.map((m) => (
          <Proposal
            key={m.id}
            id={m.id}
            status={m.status}
            name={m.mentee.name}
            score={m.score}
            reasons={m.reasons}
            expiresAt={m.expiresAt}
            menteeMustAccept={m.menteeMustAccept}
            menteeAccepted={Boolean(m.menteeAcceptedAt)}
            mentorAccepted={Boolean(m.mentorAcceptedAt)}
          />
        ))}
      </ul>
      <Pager {...pages} page={result.data?.matches?.pageInfo} />
    </>
  );
}

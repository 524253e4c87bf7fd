import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useMutation } from "urql";
import { graphql } from "../gql";
import { MutationProblem, Problem, Undone } from "./Problem";

const MenteeAccept = graphql(`
  mutation MenteeAccept($id: ID!) {
    acceptMatch(matchId: $id) {
      __typename
      ... on Match {
        id
        status
        menteeAcceptedAt
        mentorAcceptedAt
      }
      ... on MutationError {
        message
      }
    }
  }
`);

const MenteeDecline = graphql(`
  mutation MenteeDecline($id: ID!, $reason: String) {
    declineMatch(matchId: $id, reason: $reason) {
      __typename
      ... on Match {
        id
        status
        declinedBy
      }
      ... on MutationError {
        message
      }
    }
  }
`);

interface Proposal {
  id: string;
  score?: number | null;
  reasons: string[];
  expiresAt: string;
  menteeMustAccept: boolean;
  mentorAcceptedAt?: string | null;
  menteeAcceptedAt?: string | null;
  declinedBy?: string | null;
}

/** A proposal as its mentee sees it: why, and, where the program asks both sides to accept,
 * their own accept or decline (the match starts once both accepted), shown at once and said
 * undone if it could not be saved. */
export function MenteeAnswer({ match }: { match: Proposal }) {
  const { t, i18n } = useTranslation();
  const [reason, setReason] = useState("");
  const [accepting, accept] = useMutation(MenteeAccept);
  const [declining, decline] = useMutation(MenteeDecline);
  const busy = accepting.fetching || declining.fetching;
  const date = new Intl.DateTimeFormat(i18n.language, { dateStyle: "medium" }).format(
    new Date(match.expiresAt),
  );
  return (
    <>
      {match.score !== null && match.score !== undefined ? (
        <p>{t("suggestions.score", { score: match.score.toFixed(1) })}</p>
      ) : null}
      {match.reasons.length ? (
        <>
          <h3>{t("proposals.why")}</h3>
          <ul>
            {match.reasons.map((r, i) => (
              <li key={i}>{r}</li>
            ))}
          </ul>
        </>
      ) : null}
      {!match.menteeMustAccept ? null : match.declinedBy === "MENTEE" ? (
        <p role="status">{t("answer.declined")}</p>
      ) : match.menteeAcceptedAt ? (
        <p role="status">
          {t(match.mentorAcceptedAt ? "answer.bothAccepted" : "answer.waitingMentor")}
        </p>
      ) : (
        <div className="answer">
          <p>
            {t(match.mentorAcceptedAt ? "answer.mentorAccepted" : "answer.yourTurn")}{" "}
            {t("proposals.expires", { date })}
          </p>
          <button type="button" disabled={busy} onClick={() => void accept({ id: match.id })}>
            {t("answer.accept")}
          </button>{" "}
          <label>
            {t("proposals.reason")}{" "}
            <input value={reason} onChange={(e) => setReason(e.target.value)} maxLength={500} />
          </label>{" "}
          <button
            type="button"
            disabled={busy}
            onClick={() => void decline({ id: match.id, reason: reason || null })}
          >
            {t("proposals.decline")}
          </button>
        </div>
      )}
      <Problem error={accepting.error ?? declining.error} />
      <MutationProblem result={accepting.data?.acceptMatch ?? declining.data?.declineMatch} />
      <Undone
        error={accepting.error ?? declining.error}
        result={accepting.data?.acceptMatch ?? declining.data?.declineMatch}
      />
    </>
  );
}

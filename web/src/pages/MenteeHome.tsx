import { useTranslation } from "react-i18next";
import { Link, useSearchParams } from "react-router";
import { useQuery } from "urql";
import { useParticipation } from "../api/participation";
import { MenteeHistory } from "../components/MenteeHistory";
import { PlannedSessions } from "../components/PlannedSessions";
import { Loading, Problem } from "../components/Problem";
import { MenteeProgress } from "../components/Progress";
import { MenteeAnswer } from "../components/MenteeAnswer";
import { graphql } from "../gql";

const MyMatches = graphql(`
  query MyMatches($programId: ID!) {
    matches(programId: $programId, first: 50) {
      nodes {
        id
        status
        programId
        score
        reasons
        proposedAt
        expiresAt
        menteeMustAccept
        mentorAcceptedAt
        menteeAcceptedAt
        declinedBy
        mentee {
          participantId
          name
        }
        mentor {
          participantId
          name
        }
      }
    }
  }
`);

const RANK: Record<string, number> = { ACTIVE: 0, PROPOSED: 1 };

/** The mentee's home in the program they chose (``me.participations``): their mentor or the
 * proposal waiting for their answer, their path, a check-in, their planned sessions, their
 * history. */
export function MenteeHome() {
  const { t } = useTranslation();
  const { chosen, result } = useParticipation();
  const menteeId = chosen?.participantId ?? "";
  const [params] = useSearchParams();
  const [matches] = useQuery({
    query: MyMatches,
    variables: { programId: chosen?.program.id ?? "" },
    pause: !chosen,
  });
  if ((result.fetching && !result.data) || (matches.fetching && !matches.data)) return <Loading />;
  const mine = (matches.data?.matches?.nodes ?? []).filter(
    (m) => m.mentee.participantId === menteeId,
  );
  mine.sort(
    (a, b) =>
      (RANK[a.status] ?? 2) - (RANK[b.status] ?? 2) || b.proposedAt.localeCompare(a.proposedAt),
  );
  const match = mine[0] && mine[0].status in RANK ? mine[0] : null;
  return (
    <>
      <h1>{t("path.heading")}</h1>
      <Problem error={result.error ?? matches.error} />
      {!chosen && result.data ? <p>{t("suggestions.unknown")}</p> : null}
      {chosen && !match ? (
        <p>
          {t("path.noMatch")} <Link to="/suggestions">{t("nav.suggestions")}</Link>
        </p>
      ) : null}
      {match ? (
        <section className="card" aria-labelledby="mentor-title">
          <h2 id="mentor-title">{t("path.myMentor")}</h2>
          <p>
            {match.mentor.name} · {t(`matchStatus.${match.status}`)}
          </p>
          {match.status === "PROPOSED" ? <MenteeAnswer match={match} /> : null}
        </section>
      ) : null}
      {match?.status === "ACTIVE" ? (
        <>
          <MenteeProgress menteeId={menteeId} mine />
          <PlannedSessions menteeId={menteeId} focused={params.get("plannedSession")} />
          <MenteeHistory menteeId={menteeId} />
        </>
      ) : match ? (
        <p>{t(match.menteeMustAccept ? "path.bothAccept" : "path.notStarted")}</p>
      ) : null}
    </>
  );
}

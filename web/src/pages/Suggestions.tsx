import { useTranslation } from "react-i18next";
import { useMutation, useQuery } from "urql";
import { useParticipation } from "../api/participation";
import { Loading, MutationProblem, Problem } from "../components/Problem";
import { newKey } from "../components/Progress";
import { graphql } from "../gql";

const SuggestionsQuery = graphql(`
  query Suggestions($menteeId: ID!) {
    matchSuggestions(menteeId: $menteeId, first: 5) {
      score
      reasons
      mentor {
        id
        displayName
        department
      }
      breakdown {
        criterion
        points
        reason
      }
    }
  }
`);

const RequestMentor = graphql(`
  mutation RequestMentor($menteeId: ID!, $mentorId: ID!, $key: String) {
    requestMentor(menteeId: $menteeId, mentorId: $mentorId, idempotencyKey: $key) {
      __typename
      ... on Match {
        id
        status
      }
      ... on MutationError {
        message
      }
      ... on ValidationError {
        problems {
          path
          message
        }
      }
      ... on Conflict {
        currentState
      }
    }
  }
`);

function Ask({ menteeId, mentorId }: { menteeId: string; mentorId: string }) {
  const { t } = useTranslation();
  const [state, ask] = useMutation(RequestMentor);
  const answer = state.data?.requestMentor;
  return (
    <>
      <button
        type="button"
        disabled={state.fetching || answer?.__typename === "Match"}
        onClick={() => void ask({ menteeId, mentorId, key: newKey() })}
      >
        {t("suggestions.ask")}
      </button>
      {answer?.__typename === "Match" ? <p role="status">{t("suggestions.asked")}</p> : null}
      <Problem error={state.error} />
      <MutationProblem result={answer} />
    </>
  );
}

/** Mentors who would suit me in the program I chose (also before any match), each score
 * explained, and asking one of them. */
export function Suggestions() {
  const { t } = useTranslation();
  const { chosen, result } = useParticipation();
  const menteeId = chosen?.participantId ?? "";
  const [suggestions] = useQuery({
    query: SuggestionsQuery,
    variables: { menteeId },
    pause: !menteeId,
  });
  if ((result.fetching && !result.data) || suggestions.fetching) return <Loading />;
  return (
    <>
      <h1>{t("suggestions.heading")}</h1>
      <Problem error={result.error ?? suggestions.error} />
      {!menteeId ? <p>{t("suggestions.unknown")}</p> : null}
      {menteeId && suggestions.data?.matchSuggestions?.length === 0 ? (
        <p>{t("suggestions.none")}</p>
      ) : null}
      <ol className="cards">
        {(suggestions.data?.matchSuggestions ?? []).map((s) => (
          <li key={s.mentor.id} className="card">
            <h2>{s.mentor.displayName}</h2>
            <p>
              {t("suggestions.score", { score: s.score.toFixed(1) })}
              {s.mentor.department ? ` · ${s.mentor.department}` : ""}
            </p>
            <table>
              <caption>{t("suggestions.why")}</caption>
              <thead>
                <tr>
                  <th scope="col">{t("suggestions.criterion")}</th>
                  <th scope="col">{t("suggestions.points")}</th>
                  <th scope="col">{t("suggestions.reason")}</th>
                </tr>
              </thead>
              <tbody>
                {s.breakdown.map((b) => (
                  <tr key={b.criterion}>
                    <th scope="row">{t(`criterion.${b.criterion}`)}</th>
                    <td>{b.points.toFixed(1)}</td>
                    <td>{b.reason}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <Ask menteeId={menteeId} mentorId={s.mentor.id} />
          </li>
        ))}
      </ol>
    </>
  );
}

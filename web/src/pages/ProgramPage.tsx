import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useParams } from "react-router";
import { useMutation, useQuery } from "urql";
import { Loading, MutationProblem, Problem } from "../components/Problem";
import { newKey } from "../components/Progress";
import { graphql } from "../gql";
import type { MatchingObjective } from "../gql/graphql";

const ProgramQuery = graphql(`
  query Program($id: ID!) {
    program(id: $id) {
      id
      name
      description
      status
      learningPathId
      defaultMentorCapacity
      proposalExpiryDays
      createdAt
    }
    programHealth(programId: $id) {
      programId
      mentees
      byStatus {
        status
        count
      }
      funnel {
        moduleId
        title
        completed
      }
    }
  }
`);

const RunMatching = graphql(`
  mutation RunMatching($programId: ID!, $objective: MatchingObjective!, $key: String) {
    runMatching(programId: $programId, objective: $objective, idempotencyKey: $key) {
      __typename
      ... on MatchingRun {
        id
        objective
        matchedCount
        totalScore
        meanScore
        blockingPairs
        proposalIds
        unmatched {
          menteeId
          reason
        }
      }
      ... on MutationError {
        message
      }
    }
  }
`);

function Matching({ programId }: { programId: string }) {
  const { t } = useTranslation();
  const [objective, setObjective] = useState<MatchingObjective>("BEST_FIT");
  const [state, run] = useMutation(RunMatching);
  const answer = state.data?.runMatching;
  return (
    <section className="card" aria-labelledby="matching-title">
      <h2 id="matching-title">{t("matching.title")}</h2>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void run({ programId, objective, key: newKey() });
        }}
      >
        <fieldset>
          <legend>{t("matching.objective")}</legend>
          {(["BEST_FIT", "MOST_MATCHED"] as const).map((o) => (
            <label key={o} className="level">
              <input
                type="radio"
                name="objective"
                checked={objective === o}
                onChange={() => setObjective(o)}
              />{" "}
              {t(`matching.${o}`)}
            </label>
          ))}
        </fieldset>
        <button type="submit" disabled={state.fetching}>
          {t("matching.run")}
        </button>
      </form>
      <Problem error={state.error} />
      <MutationProblem result={answer} />
      {answer?.__typename === "MatchingRun" ? (
        <div role="status" className="report">
          <h3>{t("matching.report")}</h3>
          <dl>
            <dt>{t("matching.matched")}</dt>
            <dd>{answer.matchedCount}</dd>
            <dt>{t("matching.mean")}</dt>
            <dd>{answer.meanScore.toFixed(1)}</dd>
            <dt>{t("matching.blocking")}</dt>
            <dd>{answer.blockingPairs}</dd>
            <dt>{t("matching.unmatched")}</dt>
            <dd>{answer.unmatched.length}</dd>
          </dl>
          {answer.unmatched.length ? (
            <ul>
              {answer.unmatched.map((u) => (
                <li key={u.menteeId}>
                  <code>{u.menteeId}</code>: {u.reason}
                </li>
              ))}
            </ul>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}

/** A program: its settings, matching, and how its mentees are doing. */
export function ProgramPage() {
  const { t } = useTranslation();
  const { id = "" } = useParams();
  const [result] = useQuery({ query: ProgramQuery, variables: { id } });
  const program = result.data?.program;
  const health = result.data?.programHealth;
  if (result.fetching && !result.data) return <Loading />;
  const most = Math.max(1, health?.mentees ?? 0);
  return (
    <>
      <h1>{program?.name ?? t("programs.heading")}</h1>
      <Problem error={result.error} />
      {program ? (
        <p>
          {t(`programStatus.${program.status}`)} · {program.description}
        </p>
      ) : null}
      {program ? <Matching programId={program.id} /> : null}
      {health ? (
        <section className="card" aria-labelledby="health-title">
          <h2 id="health-title">{t("health.title")}</h2>
          <p>{t("health.mentees", { count: health.mentees })}</p>
          <ul className="counts">
            {health.byStatus.map((s) => (
              <li key={s.status} className={`status ${s.status.toLowerCase()}`}>
                <strong>{s.count}</strong> {t(`status.${s.status}`)}
              </li>
            ))}
          </ul>
          <h3>{t("health.funnel")}</h3>
          <ol className="funnel">
            {health.funnel.map((step) => (
              <li key={step.moduleId}>
                <span>{step.title}</span>
                <meter min={0} max={most} value={step.completed} aria-label={step.title} />{" "}
                {step.completed}
              </li>
            ))}
          </ol>
        </section>
      ) : null}
    </>
  );
}

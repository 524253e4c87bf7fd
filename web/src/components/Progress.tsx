import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useMutation, useQuery } from "urql";
import { graphql } from "../gql";
import { Loading, MutationProblem, Problem, Undone } from "./Problem";

const MenteeProgressQuery = graphql(`
  query MenteeProgress($menteeId: ID!) {
    menteeProgress(menteeId: $menteeId) {
      menteeId
      pathId
      status
      percent
      milestonesDone
      milestonesTotal
      sessionsCount
      lastActivityAt
      confidenceTrend
      modules {
        moduleId
        title
        milestonesDone
        milestonesTotal
        percent
        completed
        latestConfidence
        trend
        confidenceDropped
      }
    }
  }
`);

const PathQuery = graphql(`
  query LearningPathDetail($id: ID!) {
    learningPath(id: $id) {
      id
      version
      title
      modules {
        id
        title
        description
        milestones {
          id
          title
          evidenceExpected
        }
      }
    }
  }
`);

const CheckIn = graphql(`
  mutation CheckIn($menteeId: ID!, $moduleId: ID!, $confidence: Int!, $note: String, $key: String) {
    recordCheckIn(
      menteeId: $menteeId
      moduleId: $moduleId
      confidence: $confidence
      note: $note
      idempotencyKey: $key
    ) {
      __typename
      ... on MenteeProgress {
        menteeId
        confidenceTrend
        modules {
          moduleId
          latestConfidence
          trend
          confidenceDropped
        }
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
    }
  }
`);

const CompleteMilestone = graphql(`
  mutation CompleteMilestone($menteeId: ID!, $milestoneId: ID!, $evidence: String) {
    completeMilestone(menteeId: $menteeId, milestoneId: $milestoneId, evidence: $evidence) {
      __typename
      ... on MenteeProgress {
        menteeId
        percent
        milestonesDone
        modules {
          moduleId
          milestonesDone
          percent
          completed
        }
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
    }
  }
`);

export function newKey(): string {
  return typeof crypto.randomUUID === "function"
    ? crypto.randomUUID()
    : `${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

function CheckInForm({
  menteeId,
  modules,
}: {
  menteeId: string;
  modules: { moduleId: string; title: string; completed: boolean }[];
}) {
  const { t } = useTranslation();
  const [moduleId, setModuleId] = useState(
    modules.find((m) => !m.completed)?.moduleId ?? modules[0]?.moduleId ?? "",
  );
  const [confidence, setConfidence] = useState<number | null>(null);
  const [note, setNote] = useState("");
  const [done, setDone] = useState(false);
  const [state, checkIn] = useMutation(CheckIn);
  const answer = state.data?.recordCheckIn;

  return (
    <form
      className="card"
      aria-labelledby="check-in-title"
      onSubmit={(event) => {
        event.preventDefault();
        if (confidence === null) return;
        setDone(false);
        void checkIn({ menteeId, moduleId, confidence, note: note || null, key: newKey() }).then(
          (r) => {
            if (r.data?.recordCheckIn?.__typename === "MenteeProgress") {
              setDone(true);
              setNote("");
              setConfidence(null);
            }
          },
        );
      }}
    >
      <h2 id="check-in-title">{t("checkIn.title")}</h2>
      <label>
        {t("checkIn.module")}{" "}
        <select value={moduleId} onChange={(e) => setModuleId(e.target.value)}>
          {modules.map((m) => (
            <option key={m.moduleId} value={m.moduleId}>
              {m.title}
            </option>
          ))}
        </select>
      </label>
      <fieldset className="scale">
        <legend>{t("checkIn.confidence")}</legend>
        {[1, 2, 3, 4, 5].map((level) => (
          <label key={level} className="level">
            <input
              type="radio"
              name="confidence"
              value={level}
              checked={confidence === level}
              onChange={() => setConfidence(level)}
            />
            <span>
              {level} <small>{t(`checkIn.level${level}`)}</small>
            </span>
          </label>
        ))}
      </fieldset>
      <label className="block">
        {t("checkIn.note")}
        <textarea
          value={note}
          onChange={(e) => setNote(e.target.value)}
          rows={2}
          maxLength={2000}
        />
      </label>
      <button type="submit" disabled={confidence === null || state.fetching}>
        {t("checkIn.submit")}
      </button>
      {done ? <p role="status">{t("checkIn.done")}</p> : null}
      <Problem error={state.error} />
      <MutationProblem result={answer} />
      <Undone error={state.error} result={answer} />
    </form>
  );
}

function MilestoneForm({
  menteeId,
  id,
  title,
  expected,
}: {
  menteeId: string;
  id: string;
  title: string;
  expected: string;
}) {
  const { t } = useTranslation();
  const [evidence, setEvidence] = useState("");
  const [state, complete] = useMutation(CompleteMilestone);
  const answer = state.data?.completeMilestone;
  // shown done while the server is asked (the cache shows it done too), unless it fails
  const done = state.fetching || answer?.__typename === "MenteeProgress";
  return (
    <li>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void complete({ menteeId, milestoneId: id, evidence: evidence || null });
        }}
      >
        <strong>{title}</strong>
        {expected ? <p className="hint">{expected}</p> : null}
        <label>
          {t("milestone.evidence")}{" "}
          <input value={evidence} onChange={(e) => setEvidence(e.target.value)} maxLength={2000} />
        </label>{" "}
        <button type="submit" disabled={done}>
          {t("milestone.markDone")}
        </button>
        {done ? <span role="status"> {t("milestone.done")}</span> : null}
        <Problem error={state.error} />
        <MutationProblem result={answer} />
        <Undone error={state.error} result={answer} />
      </form>
    </li>
  );
}

/** An arrow beside a known trend (none beside "no trend yet", which sits among "·" separators). */
const TREND_SIGN: Record<string, string> = { RISING: "↗", FALLING: "↘", STEADY: "→" };

export function Trend({ trend }: { trend: string }) {
  const { t } = useTranslation();
  return (
    <span className={`trend ${trend.toLowerCase()}`}>
      {TREND_SIGN[trend] ? <span aria-hidden="true">{TREND_SIGN[trend]} </span> : null}
      {t(`trend.${trend}`)}
    </span>
  );
}

/** A mentee's learning path and progress; the mentee also checks in and marks milestones. */
export function MenteeProgress({ menteeId, mine }: { menteeId: string; mine: boolean }) {
  const { t } = useTranslation();
  const [progress] = useQuery({ query: MenteeProgressQuery, variables: { menteeId } });
  const data = progress.data?.menteeProgress;
  const [path] = useQuery({
    query: PathQuery,
    variables: { id: data?.pathId ?? "" },
    pause: !data,
  });
  if (progress.fetching && !data) return <Loading />;
  if (!data) return <Problem error={progress.error} />;
  const modules = new Map((path.data?.learningPath?.modules ?? []).map((m) => [m.id, m]));
  return (
    <>
      <Problem error={progress.error} />
      <section className="card" aria-labelledby="progress-title">
        <h2 id="progress-title">{path.data?.learningPath?.title ?? t("path.title")}</h2>
        <p>
          <meter min={0} max={100} value={data.percent} aria-label={t("path.percent")} />{" "}
          {t("path.summary", {
            percent: data.percent,
            done: data.milestonesDone,
            total: data.milestonesTotal,
          })}
        </p>
        <p>
          {t(`status.${data.status}`)} · <Trend trend={data.confidenceTrend} /> ·{" "}
          {t("path.sessions", { count: data.sessionsCount })}
        </p>
        <ol className="modules">
          {data.modules.map((module) => (
            <li key={module.moduleId} className={module.completed ? "completed" : ""}>
              <h3>{module.title}</h3>
              <p>
                {t("path.moduleSummary", {
                  done: module.milestonesDone,
                  total: module.milestonesTotal,
                })}
                {module.latestConfidence !== null && module.latestConfidence !== undefined ? (
                  <>
                    {" · "}
                    {t("path.confidence", { level: module.latestConfidence })}{" "}
                    <Trend trend={module.trend} />
                  </>
                ) : null}
                {module.confidenceDropped ? (
                  <strong className="drop"> · {t("path.dropped")}</strong>
                ) : null}
              </p>
              {mine && (modules.get(module.moduleId)?.milestones.length ?? 0) > 0 ? (
                <details>
                  <summary>{t("milestone.list")}</summary>
                  <ul className="milestones">
                    {modules.get(module.moduleId)?.milestones.map((milestone) => (
                      <MilestoneForm
                        key={milestone.id}
                        menteeId={menteeId}
                        id={milestone.id}
                        title={milestone.title}
                        expected={milestone.evidenceExpected}
                      />
                    ))}
                  </ul>
                </details>
              ) : null}
            </li>
          ))}
        </ol>
      </section>
      {mine ? <CheckInForm menteeId={menteeId} modules={data.modules} /> : null}
    </>
  );
}

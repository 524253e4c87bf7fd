import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useSearchParams } from "react-router";
import { useMutation, useQuery } from "urql";
import { Pager, useCursorPages } from "../../components/Pager";
import { Loading, MutationProblem, Problem } from "../../components/Problem";
import { newKey } from "../../components/Progress";
import { graphql } from "../../gql";
import type { MatchingObjective } from "../../gql/graphql";

const PreviewMatching = graphql(`
  mutation PreviewMatching($programId: ID!, $objective: MatchingObjective!) {
    previewMatching(programId: $programId, objective: $objective) {
      __typename
      ... on MatchingRun {
        id
      }
      ... on MutationError {
        message
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
      }
      ... on MutationError {
        message
      }
    }
  }
`);

const ReportQuery = graphql(`
  query MatchingReport($id: ID!, $after: String, $blockingAfter: String) {
    matchingRun(id: $id) {
      id
      programId
      objective
      preview
      ranAt
      matchedCount
      meanScore
      blockingPairs
      unmatched {
        menteeId
        reason
      }
      pairs(first: 20, after: $after) {
        pageInfo {
          hasNextPage
          endCursor
        }
        nodes {
          menteeId
          mentorId
          score
          matchId
          breakdown {
            criterion
            points
            reason
          }
          mentee {
            id
            displayName
          }
          mentor {
            id
            displayName
          }
        }
      }
      blockingPairList(first: 20, after: $blockingAfter) {
        pageInfo {
          hasNextPage
          endCursor
        }
        nodes {
          menteeId
          mentorId
          score
          menteeScore
          mentorWeakest
          reason
        }
      }
    }
  }
`);

const NamesQuery = graphql(`
  query ReportNames($ids: [ID!]!) {
    nodes(ids: $ids) {
      __typename
      ... on Participant {
        id
        displayName
      }
      ... on Match {
        id
        status
      }
    }
  }
`);

const RunsQuery = graphql(`
  query MatchingRuns($programId: ID!, $after: String) {
    matchingRuns(programId: $programId, first: 10, after: $after) {
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        preview
        objective
        ranAt
        matchedCount
        meanScore
        blockingPairs
      }
    }
    program(id: $programId) {
      id
      lastMatchingRun {
        id
      }
    }
  }
`);

const CancelProposal = graphql(`
  mutation CancelProposal($id: ID!, $reason: String!) {
    cancelProposal(matchId: $id, reason: $reason) {
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
    }
  }
`);

function useWhen() {
  const { i18n } = useTranslation();
  return (iso: string | null | undefined) =>
    iso
      ? new Intl.DateTimeFormat(i18n.language, { dateStyle: "medium", timeStyle: "short" }).format(
          new Date(iso),
        )
      : "–";
}

function Cancel({ matchId, who }: { matchId: string; who: string }) {
  const { t } = useTranslation();
  const [reason, setReason] = useState("");
  const [state, cancel] = useMutation(CancelProposal);
  const answer = state.data?.cancelProposal;
  return (
    <form
      aria-label={t("matching.cancelWho", { who })}
      onSubmit={(event) => {
        event.preventDefault();
        void cancel({ id: matchId, reason });
      }}
    >
      <label>
        {t("matching.cancelReason")}{" "}
        <input
          required
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          maxLength={500}
        />
      </label>{" "}
      <button type="submit" disabled={state.fetching || !reason.trim()}>
        {t("matching.cancel")}
      </button>
      <Problem error={state.error} />
      <MutationProblem result={answer} />
    </form>
  );
}

/** One stored matching report: pairs with explained scores (and, for a run, each proposal's
 * state now, cancelling one while it waits: the state then says so), unmatched mentees and why, blocking pairs. */
function Report({ runId }: { runId: string }) {
  const { t } = useTranslation();
  const when = useWhen();
  const pairPages = useCursorPages();
  const blockingPages = useCursorPages();
  const [result] = useQuery({
    query: ReportQuery,
    variables: { id: runId, after: pairPages.after, blockingAfter: blockingPages.after },
  });
  const run = result.data?.matchingRun;
  const pairs = run?.pairs.nodes ?? [];
  const ids = [
    ...new Set([
      ...(run?.unmatched ?? []).map((u) => u.menteeId),
      ...(run?.blockingPairList.nodes ?? []).flatMap((b) => [b.menteeId, b.mentorId]),
      ...pairs.flatMap((p) => (p.matchId ? [p.matchId] : [])),
    ]),
  ].slice(0, 100);
  const [names] = useQuery({ query: NamesQuery, variables: { ids }, pause: !ids.length });
  const known = new Map<string, string>();
  for (const node of names.data?.nodes ?? []) {
    if (node?.__typename === "Participant") known.set(node.id, node.displayName);
    if (node?.__typename === "Match") known.set(node.id, node.status);
  }
  const name = (id: string) => known.get(id) ?? id;
  if (result.fetching && !run) return <Loading />;
  if (!run) return <Problem error={result.error} />;
  return (
    <section className="card report" aria-labelledby="report-title">
      <h3 id="report-title">
        {run.preview ? t("matching.previewReport") : t("matching.report")} · {when(run.ranAt)}
      </h3>
      <Problem error={result.error ?? names.error} />
      <dl>
        <dt>{run.preview ? t("matching.pairsFound") : t("matching.matched")}</dt>
        <dd>{run.matchedCount}</dd>
        <dt>{t("matching.mean")}</dt>
        <dd>{run.meanScore.toFixed(1)}</dd>
        <dt>{t("matching.blocking")}</dt>
        <dd>{run.blockingPairs}</dd>
        <dt>{t("matching.unmatched")}</dt>
        <dd>{run.unmatched.length}</dd>
      </dl>
      {run.preview ? <p className="hint">{t("matching.previewHint")}</p> : null}
      <h4>{t("matching.pairs")}</h4>
      <ul className="cards">
        {pairs.map((p) => {
          const mentee = p.mentee?.displayName ?? p.menteeId;
          const mentor = p.mentor?.displayName ?? p.mentorId;
          const status = p.matchId ? known.get(p.matchId) : undefined;
          return (
            <li key={`${p.menteeId}-${p.mentorId}`} className="card">
              <h5>{t("matching.pair", { mentee, mentor })}</h5>
              <p>
                {t("suggestions.score", { score: p.score.toFixed(1) })}
                {status ? (
                  <>
                    {" · "}
                    <span className="state">{t(`matchStatus.${status}`)}</span>
                  </>
                ) : null}
              </p>
              <details>
                <summary>{t("suggestions.why")}</summary>
                <ul>
                  {p.breakdown.map((b) => (
                    <li key={b.criterion}>
                      {t(`criterion.${b.criterion}`)}: {b.points.toFixed(1)} · {b.reason}
                    </li>
                  ))}
                </ul>
              </details>
              {p.matchId && status === "PROPOSED" ? (
                <Cancel matchId={p.matchId} who={t("matching.pair", { mentee, mentor })} />
              ) : null}
            </li>
          );
        })}
      </ul>
      <Pager {...pairPages} page={run.pairs.pageInfo} of={t("matching.pairs")} />
      {run.unmatched.length ? (
        <>
          <h4>{t("matching.unmatched")}</h4>
          <ul aria-label={t("matching.unmatched")}>
            {run.unmatched.map((u) => (
              <li key={u.menteeId}>
                <strong>{name(u.menteeId)}</strong>: {u.reason}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {run.blockingPairList.nodes.length ? (
        <>
          <h4>{t("matching.blockingList")}</h4>
          <ul aria-label={t("matching.blockingList")}>
            {run.blockingPairList.nodes.map((b) => (
              <li key={`${b.menteeId}-${b.mentorId}`}>
                <strong>
                  {t("matching.pair", { mentee: name(b.menteeId), mentor: name(b.mentorId) })}
                </strong>{" "}
                ({b.score.toFixed(1)}): {b.reason}
              </li>
            ))}
          </ul>
          <Pager
            {...blockingPages}
            page={run.blockingPairList.pageInfo}
            of={t("matching.blockingList")}
          />
        </>
      ) : null}
    </section>
  );
}

function PastRuns({ programId, shown }: { programId: string; shown: string | null }) {
  const { t } = useTranslation();
  const when = useWhen();
  const pages = useCursorPages();
  const [result] = useQuery({ query: RunsQuery, variables: { programId, after: pages.after } });
  const page = result.data?.matchingRuns;
  return (
    <section className="card" aria-labelledby="runs-title">
      <h2 id="runs-title">{t("matching.past")}</h2>
      <Problem error={result.error} />
      {page && page.nodes.length === 0 ? <p>{t("matching.noRuns")}</p> : null}
      <ul>
        {(page?.nodes ?? []).map((r) => (
          <li key={r.id}>
            <Link
              to={`?run=${encodeURIComponent(r.id)}`}
              aria-current={r.id === shown ? "true" : undefined}
            >
              {r.preview ? t("matching.aPreview") : t("matching.aRun")} · {when(r.ranAt)}
            </Link>{" "}
            · {t(`matching.${r.objective}`)} · {t("matching.pairsCount", { count: r.matchedCount })}{" "}
            · {t("matching.meanShort", { score: r.meanScore.toFixed(1) })}
          </li>
        ))}
      </ul>
      <Pager {...pages} page={page?.pageInfo} of={t("matching.past")} />
    </section>
  );
}

/** Matching a program's cohort: preview what a run would propose, run it, read any stored
 * report (the one asked for in ``?run=``, else the last run that proposed) and cancel a
 * proposal that waits. */
export function Matching({ programId }: { programId: string }) {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const [objective, setObjective] = useState<MatchingObjective>("BEST_FIT");
  const [previewing, preview] = useMutation(PreviewMatching);
  const [running, run] = useMutation(RunMatching);
  const [runs] = useQuery({ query: RunsQuery, variables: { programId, after: null } });
  const shown = params.get("run") ?? runs.data?.program?.lastMatchingRun?.id ?? null;
  const answer = running.data?.runMatching ?? previewing.data?.previewMatching;
  const busy = previewing.fetching || running.fetching;
  const open = (id: string | undefined) => {
    if (id) setParams({ run: id });
  };
  return (
    <>
      <section className="card" aria-labelledby="matching-title">
        <h2 id="matching-title">{t("matching.title")}</h2>
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
        <button
          type="button"
          disabled={busy}
          onClick={() =>
            void preview({ programId, objective }).then((r) => {
              const made = r.data?.previewMatching;
              open(made?.__typename === "MatchingRun" ? made.id : undefined);
            })
          }
        >
          {t("matching.preview")}
        </button>{" "}
        <button
          type="button"
          disabled={busy}
          onClick={() =>
            void run({ programId, objective, key: newKey() }).then((r) => {
              const made = r.data?.runMatching;
              open(made?.__typename === "MatchingRun" ? made.id : undefined);
            })
          }
        >
          {t("matching.run")}
        </button>
        {busy ? <p role="status">{t("matching.working")}</p> : null}
        <Problem error={previewing.error ?? running.error} />
        <MutationProblem result={answer} />
      </section>
      {shown ? <Report key={shown} runId={shown} /> : null}
      <PastRuns programId={programId} shown={shown} />
    </>
  );
}

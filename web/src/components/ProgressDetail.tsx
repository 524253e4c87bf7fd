import { useEffect, useRef, useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { useQuery, type CombinedError } from "urql";
import { graphql } from "../gql";
import type { ParticipantRole } from "../gql/graphql";
import { Pager, type Cursors } from "./Pager";
import { ConfidenceChart } from "./ConfidenceChart";
import { Loading, Problem } from "./Problem";

const MilestonesQuery = graphql(`
  query DetailMilestones($menteeId: ID!) {
    menteeProgressDetail(menteeId: $menteeId) {
      menteeId
      sight
      milestones(first: 100) {
        nodes {
          milestoneId
          moduleId
          title
          done
          completedAt
          completedBy
          evidence
          history {
            kind
            by
            at
            evidence
            reason
          }
        }
      }
    }
  }
`);

const CheckInsQuery = graphql(`
  query DetailCheckIns($menteeId: ID!, $after: String) {
    menteeProgressDetail(menteeId: $menteeId) {
      menteeId
      checkIns(first: 10, after: $after) {
        pageInfo {
          hasNextPage
          endCursor
        }
        nodes {
          id
          moduleId
          confidence
          assessedBy
          note
          recordedAt
        }
      }
    }
  }
`);

const SessionsQuery = graphql(`
  query DetailSessions($menteeId: ID!, $after: String) {
    menteeProgressDetail(menteeId: $menteeId) {
      menteeId
      sessions(first: 10, after: $after) {
        pageInfo {
          hasNextPage
          endCursor
        }
        nodes {
          id
          heldOn
          durationMinutes
          moduleIds
          notes
          menteeRating
          mentorRating
        }
      }
    }
  }
`);

const FocusCheckInQuery = graphql(`
  query DetailCheckIn($menteeId: ID!, $id: ID!) {
    menteeProgressDetail(menteeId: $menteeId) {
      menteeId
      checkIn(id: $id) {
        id
        moduleId
        confidence
        assessedBy
        note
        recordedAt
      }
    }
  }
`);

const FocusSessionQuery = graphql(`
  query DetailSession($menteeId: ID!, $id: ID!) {
    menteeProgressDetail(menteeId: $menteeId) {
      menteeId
      session(id: $id) {
        id
        heldOn
        durationMinutes
        moduleIds
        notes
        menteeRating
        mentorRating
      }
    }
  }
`);

export interface Focus {
  checkIn?: string | null;
  session?: string | null;
  milestone?: string | null;
  module?: string | null;
}

type Titles = Map<string, string>;

function useWhen() {
  const { i18n } = useTranslation();
  return (iso: string, time = true) =>
    new Intl.DateTimeFormat(i18n.language, {
      dateStyle: "medium",
      ...(time ? { timeStyle: "short" } : {}),
    }).format(new Date(iso));
}

function By({ role }: { role: ParticipantRole | null | undefined }) {
  const { t } = useTranslation();
  return role ? <>{t(`detail.by.${role}`)}</> : null;
}

function Milestones({
  menteeId,
  titles,
  focus,
}: {
  menteeId: string;
  titles: Titles;
  focus: Focus;
}) {
  const { t } = useTranslation();
  const when = useWhen();
  const [result] = useQuery({ query: MilestonesQuery, variables: { menteeId } });
  const detail = result.data?.menteeProgressDetail;
  const nodes = detail?.milestones?.nodes ?? [];
  return (
    <section className="card" aria-labelledby="milestones-title">
      <h2 id="milestones-title">{t("detail.milestones")}</h2>
      {detail?.sight === "FIGURES" ? <p className="hint">{t("detail.figures")}</p> : null}
      <Problem error={result.error} />
      {result.fetching && !detail ? <Loading /> : null}
      <ul className="history">
        {nodes.map((m) => (
          <li
            key={m.milestoneId}
            className={m.done ? "done" : ""}
            aria-current={focus.milestone === m.milestoneId ? "true" : undefined}
          >
            <strong>{m.title}</strong> <small>{titles.get(m.moduleId) ?? m.moduleId}</small> ·{" "}
            {m.done && m.completedAt ? (
              <>
                {t("detail.doneOn", { date: when(m.completedAt, false) })}{" "}
                <By role={m.completedBy} />
              </>
            ) : (
              t("detail.notDone")
            )}
            {m.evidence ? (
              <blockquote>
                {t("detail.evidence")}: {m.evidence}
              </blockquote>
            ) : null}
            {m.history.length > 1 ? (
              <details>
                <summary>{t("detail.history", { count: m.history.length })}</summary>
                <ol>
                  {m.history.map((h, i) => (
                    <li key={i}>
                      {t(`detail.entry.${h.kind}`)} <By role={h.by} /> · {when(h.at)}
                      {h.evidence ? ` · ${h.evidence}` : ""}
                      {h.reason ? ` · ${h.reason}` : ""}
                    </li>
                  ))}
                </ol>
              </details>
            ) : null}
          </li>
        ))}
      </ul>
    </section>
  );
}

interface CheckInShown {
  id: string;
  moduleId: string;
  confidence: number;
  assessedBy: ParticipantRole;
  note?: string | null;
  recordedAt: string;
}

function CheckInLine({ checkIn, titles }: { checkIn: CheckInShown; titles: Titles }) {
  const { t } = useTranslation();
  const when = useWhen();
  return (
    <>
      <strong>{t("path.confidence", { level: checkIn.confidence })}</strong> ·{" "}
      {titles.get(checkIn.moduleId) ?? checkIn.moduleId} · <By role={checkIn.assessedBy} /> ·{" "}
      <time dateTime={checkIn.recordedAt}>{when(checkIn.recordedAt)}</time>
      {checkIn.note ? <blockquote>{checkIn.note}</blockquote> : null}
    </>
  );
}

/** One paged list of a mentee's history: its heading, loading and error states, "none yet", the
 * entries (the one a notification points at marked current) and the pager. */
function HistorySection<T extends { id: string }>({
  name,
  title,
  empty,
  result,
  page,
  focused,
  cursors,
  setCursors,
  entry,
}: {
  name: string;
  title: string;
  empty: string;
  result: { error?: CombinedError; fetching: boolean };
  page:
    | { nodes: T[]; pageInfo: { hasNextPage: boolean; endCursor?: string | null } }
    | null
    | undefined;
  focused: string | null | undefined;
  cursors: Cursors;
  setCursors: (update: (c: Cursors) => Cursors) => void;
  entry: (item: T) => ReactNode;
}) {
  return (
    <section className="card" aria-labelledby={`${name}-title`}>
      <h2 id={`${name}-title`}>{title}</h2>
      <Problem error={result.error} />
      {result.fetching && !page ? <Loading /> : null}
      {page && page.nodes.length === 0 ? <p>{empty}</p> : null}
      <ul className="history">
        {(page?.nodes ?? []).map((item) => (
          <li key={item.id} aria-current={focused === item.id ? "true" : undefined}>
            {entry(item)}
          </li>
        ))}
      </ul>
      <Pager cursors={cursors} setCursors={setCursors} page={page?.pageInfo} of={title} />
    </section>
  );
}

function CheckIns({ menteeId, titles, focus }: { menteeId: string; titles: Titles; focus: Focus }) {
  const { t } = useTranslation();
  const [cursors, setCursors] = useState<Cursors>([null]);
  const [result] = useQuery({
    query: CheckInsQuery,
    variables: { menteeId, after: cursors[cursors.length - 1] ?? null },
  });
  return (
    <HistorySection
      name="check-ins"
      title={t("detail.checkIns")}
      empty={t("detail.noCheckIns")}
      result={result}
      page={result.data?.menteeProgressDetail?.checkIns}
      focused={focus.checkIn}
      cursors={cursors}
      setCursors={setCursors}
      entry={(c) => <CheckInLine checkIn={c} titles={titles} />}
    />
  );
}

interface SessionShown {
  id: string;
  heldOn: string;
  durationMinutes: number;
  moduleIds: string[];
  notes?: string | null;
  menteeRating?: number | null;
  mentorRating?: number | null;
}

function SessionLine({ session, titles }: { session: SessionShown; titles: Titles }) {
  const { t } = useTranslation();
  const when = useWhen();
  const rating = (value: number | null | undefined) =>
    value === null || value === undefined ? t("detail.unrated") : `${value}/5`;
  return (
    <>
      <strong>{when(session.heldOn, false)}</strong> ·{" "}
      {t("detail.minutes", { count: session.durationMinutes })}
      {session.moduleIds.length
        ? ` · ${session.moduleIds.map((id) => titles.get(id) ?? id).join(", ")}`
        : ""}{" "}
      · {t("detail.menteeRating")}: {rating(session.menteeRating)} · {t("detail.mentorRating")}:{" "}
      {rating(session.mentorRating)}
      {session.notes ? <blockquote>{session.notes}</blockquote> : null}
    </>
  );
}

function Sessions({ menteeId, titles, focus }: { menteeId: string; titles: Titles; focus: Focus }) {
  const { t } = useTranslation();
  const [cursors, setCursors] = useState<Cursors>([null]);
  const [result] = useQuery({
    query: SessionsQuery,
    variables: { menteeId, after: cursors[cursors.length - 1] ?? null },
  });
  return (
    <HistorySection
      name="sessions"
      title={t("detail.sessions")}
      empty={t("detail.noSessions")}
      result={result}
      page={result.data?.menteeProgressDetail?.sessions}
      focused={focus.session}
      cursors={cursors}
      setCursors={setCursors}
      entry={(session) => <SessionLine session={session} titles={titles} />}
    />
  );
}

function FocusCard({
  menteeId,
  titles,
  focus,
}: {
  menteeId: string;
  titles: Titles;
  focus: Focus;
}) {
  const { t } = useTranslation();
  const heading = useRef<HTMLHeadingElement>(null);
  const [checkIn] = useQuery({
    query: FocusCheckInQuery,
    variables: { menteeId, id: focus.checkIn ?? "" },
    pause: !focus.checkIn,
  });
  const [session] = useQuery({
    query: FocusSessionQuery,
    variables: { menteeId, id: focus.session ?? "" },
    pause: !focus.session || Boolean(focus.checkIn),
  });
  const result = focus.checkIn ? checkIn : session;
  const shownCheckIn = focus.checkIn ? checkIn.data?.menteeProgressDetail?.checkIn : null;
  const shownSession = focus.checkIn ? null : session.data?.menteeProgressDetail?.session;
  const found = Boolean(shownCheckIn ?? shownSession);
  useEffect(() => {
    if (found) heading.current?.focus();
  }, [found]);
  if (!focus.checkIn && !focus.session) return null;
  return (
    <section className="card focus" aria-labelledby="focus-title">
      <h2 id="focus-title" ref={heading} tabIndex={-1}>
        {focus.checkIn ? t("detail.thisCheckIn") : t("detail.thisSession")}
      </h2>
      <Problem error={result.error} />
      {result.fetching && !result.data ? <Loading /> : null}
      {shownCheckIn ? <CheckInLine checkIn={shownCheckIn} titles={titles} /> : null}
      {shownSession ? <SessionLine session={shownSession} titles={titles} /> : null}
      {result.data && !found ? <p>{t("detail.gone")}</p> : null}
    </section>
  );
}

/** A mentee's history in detail, as the reader may see it (``sight``): the thing a notification
 * is about first, then milestones with evidence and history, confidence per module, check-ins
 * with notes and sessions with ratings, each list a page at a time. */
export function ProgressDetail({
  menteeId,
  modules,
  focus,
}: {
  menteeId: string;
  modules: { moduleId: string; title: string }[];
  focus: Focus;
}) {
  const { t } = useTranslation();
  const titles: Titles = new Map(modules.map((m) => [m.moduleId, m.title]));
  return (
    <>
      <FocusCard menteeId={menteeId} titles={titles} focus={focus} />
      <section className="card" aria-labelledby="charts-title">
        <h2 id="charts-title">{t("detail.confidence")}</h2>
        <div className="charts">
          {modules.map((m) => (
            <ConfidenceChart
              key={m.moduleId}
              menteeId={menteeId}
              moduleId={m.moduleId}
              title={m.title}
              current={focus.module === m.moduleId}
            />
          ))}
        </div>
      </section>
      <CheckIns menteeId={menteeId} titles={titles} focus={focus} />
      <Milestones menteeId={menteeId} titles={titles} focus={focus} />
      <Sessions menteeId={menteeId} titles={titles} focus={focus} />
    </>
  );
}

import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useQuery } from "urql";
import { downloadFile } from "../../api/download";
import { useSignedIn } from "../../auth/session";
import { MutationProblem, Problem } from "../../components/Problem";
import { graphql } from "../../gql";
import type { ProgressStatus } from "../../gql/graphql";

const ReportQuery = graphql(`
  query ProgramReport($id: ID!, $from: Date!, $to: Date!) {
    programReport(programId: $id, from: $from, to: $to) {
      __typename
      ... on ProgramReport {
        programId
        from
        to
        funnel {
          stage
          count
          conversion
        }
        timeToMatch {
          matched
          medianHours
        }
        weeks {
          weekStart
          byStatus {
            status
            count
          }
        }
        confidence {
          moduleId
          title
          assessedBy
          mentees
          atStart
          now
        }
        activeMatches
        sessionsPerActiveMatch
        csvPath
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

export const STATUSES: ProgressStatus[] = [
  "ON_TRACK",
  "AT_RISK",
  "STALLED",
  "COMPLETED",
  "PAUSED",
  "STOPPED",
];

const WIDTH = 320;
const BAR = 18;
const LABEL = 90;

/** The funnel's bars: each stage's width in proportion to the largest stage's count. */
export function funnelBars(
  steps: { stage: string; count: number }[],
): { stage: string; count: number; y: number; width: number }[] {
  const most = Math.max(1, ...steps.map((s) => s.count));
  return steps.map((s, i) => ({
    stage: s.stage,
    count: s.count,
    y: i * (BAR + 6),
    width: ((WIDTH - LABEL - 30) * s.count) / most,
  }));
}

const CHART_HEIGHT = 120;

/** The weeks as stacked columns: one column a week, a segment per status in STATUSES order,
 * heights in proportion to the busiest week's total. */
export function weekColumns(
  weeks: { weekStart: string; byStatus: { status: ProgressStatus; count: number }[] }[],
): {
  weekStart: string;
  x: number;
  segments: { status: ProgressStatus; y: number; height: number }[];
}[] {
  const totals = weeks.map((w) => w.byStatus.reduce((sum, s) => sum + s.count, 0));
  const most = Math.max(1, ...totals);
  const step = weeks.length ? WIDTH / weeks.length : WIDTH;
  return weeks.map((week, i) => {
    let top = CHART_HEIGHT;
    const segments = STATUSES.flatMap((status) => {
      const count = week.byStatus.find((s) => s.status === status)?.count ?? 0;
      if (!count) return [];
      const height = (CHART_HEIGHT * count) / most;
      top -= height;
      return [{ status, y: top, height }];
    });
    return { weekStart: week.weekStart, x: i * step, segments };
  });
}

/** The chart's width in CSS pixels on a phone 375 px wide, and on a wider screen (its most). */
const NARROW_PX = 299;
const WIDE_PX = 576;
/** The week labels' font size in CSS pixels (0.75rem), and a label's width from its length
 * (an average glyph is about 0.6 em wide) with a gap. */
const WEEK_FONT_PX = 12;
const labelPx = (text: string) => text.length * WEEK_FONT_PX * 0.6 + 8;

/** The weeks' axis labels: each week's start date in the reader's language (a day and a short
 * month) under its column's left edge. Where the labels would not fit side by side, every
 * second (third, ...) week is labelled, on a wide screen and, fewer, on a phone (``narrow``: the
 * ones shown there too); a label that would run past the right edge is left out. */
export function weekLabels(
  weekStarts: string[],
  language: string,
): { weekStart: string; column: number; text: string; narrow: boolean }[] {
  const format = new Intl.DateTimeFormat(language, {
    day: "numeric",
    month: "short",
    timeZone: "UTC",
  });
  const texts = weekStarts.map((day) => format.format(new Date(`${day}T00:00:00Z`)));
  const widest = Math.max(0, ...texts.map(labelPx));
  const every = (px: number) => Math.max(1, Math.ceil(widest / (px / Math.max(1, texts.length))));
  const wide = every(WIDE_PX);
  const narrow = Math.ceil(every(NARROW_PX) / wide) * wide;
  const fits = (i: number, px: number, text: string) =>
    (i * px) / texts.length + labelPx(text) - 8 <= px;
  return texts.flatMap((text, i) =>
    i % wide === 0 && fits(i, WIDE_PX, text)
      ? [
          {
            weekStart: weekStarts[i]!,
            column: i + 1,
            text,
            narrow: i % narrow === 0 && fits(i, NARROW_PX, text),
          },
        ]
      : [],
  );
}

/** A date as YYYY-MM-DD, in UTC. */
export function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** A program's report for its admins over a period they choose (the last 12 weeks at first):
 * the funnel and the mentees by status week by week as charts (plain SVG, described in words),
 * the confidence per module at the start and now as a table, and the same figures as a CSV file
 * to download. */
export function Report({ programId }: { programId: string }) {
  const { t, i18n } = useTranslation();
  const session = useSignedIn();
  const [period, setPeriod] = useState(() => {
    const today = new Date();
    return { from: isoDay(new Date(today.getTime() - 83 * 86_400_000)), to: isoDay(today) };
  });
  const [draft, setDraft] = useState(period);
  const [downloadProblem, setDownloadProblem] = useState<string | null>(null);
  const [result] = useQuery({
    query: ReportQuery,
    variables: { id: programId, from: period.from, to: period.to },
  });
  const answer = result.data?.programReport;
  const report = answer?.__typename === "ProgramReport" ? answer : null;
  const bars = report ? funnelBars(report.funnel) : [];
  const columns = report ? weekColumns(report.weeks) : [];
  const labels = report
    ? weekLabels(
        report.weeks.map((w) => w.weekStart),
        i18n.language,
      )
    : [];
  const weekDay = new Intl.DateTimeFormat(i18n.language, { dateStyle: "medium", timeZone: "UTC" });
  const decimal = new Intl.NumberFormat(i18n.language, { maximumFractionDigits: 1 });
  return (
    <section className="card" aria-labelledby="report-title">
      <h2 id="report-title">{t("report.title")}</h2>
      <form
        aria-label={t("report.period")}
        onSubmit={(event) => {
          event.preventDefault();
          setPeriod(draft);
        }}
      >
        <label>
          {t("report.from")}{" "}
          <input
            type="date"
            required
            value={draft.from}
            onChange={(e) => setDraft({ ...draft, from: e.target.value })}
          />
        </label>{" "}
        <label>
          {t("report.to")}{" "}
          <input
            type="date"
            required
            value={draft.to}
            onChange={(e) => setDraft({ ...draft, to: e.target.value })}
          />
        </label>{" "}
        <button type="submit">{t("report.show")}</button>
      </form>
      <Problem error={result.error} />
      <MutationProblem result={answer} />
      {report ? (
        <>
          <p>
            {t("report.matched", { count: report.timeToMatch.matched })}
            {report.timeToMatch.medianHours != null
              ? ` · ${t("report.median", { hours: report.timeToMatch.medianHours.toFixed(1) })}`
              : ""}
            {` · ${t("report.active", { count: report.activeMatches })}`}
            {report.sessionsPerActiveMatch != null
              ? ` · ${t("report.perMatch", { sessions: report.sessionsPerActiveMatch.toFixed(1) })}`
              : ""}
          </p>
          <figure className="chart wide">
            <figcaption>{t("report.funnel")}</figcaption>
            <svg
              viewBox={`0 0 ${WIDTH} ${Math.max(1, bars.length) * (BAR + 6)}`}
              role="img"
              aria-label={report.funnel
                .map((s) => `${t(`report.stage.${s.stage}`)}: ${s.count}`)
                .join(", ")}
            >
              {bars.map((bar) => (
                <g key={bar.stage} className="bar">
                  <text x={0} y={bar.y + BAR - 5} className="axis">
                    {t(`report.stage.${bar.stage}`)}
                  </text>
                  <rect x={LABEL} y={bar.y} width={bar.width} height={BAR} />
                  <text x={LABEL + bar.width + 4} y={bar.y + BAR - 5} className="axis">
                    {bar.count}
                  </text>
                </g>
              ))}
            </svg>
          </figure>
          <figure className="chart wide">
            <figcaption>{t("report.weeks")}</figcaption>
            <svg
              viewBox={`0 0 ${WIDTH} ${CHART_HEIGHT}`}
              role="img"
              aria-label={
                report.weeks.length
                  ? report.weeks
                      .map(
                        (w) =>
                          `${t("report.weekOf", { date: weekDay.format(new Date(`${w.weekStart}T00:00:00Z`)) })}: ${w.byStatus
                            .map((s) => `${s.count} ${t(`status.${s.status}`)}`)
                            .join(", ")}`,
                      )
                      .join("; ")
                  : t("report.noWeeks")
              }
            >
              {columns.map((column) => (
                <g key={column.weekStart}>
                  {column.segments.map((s) => (
                    <rect
                      key={s.status}
                      className={`status ${s.status.toLowerCase()}`}
                      x={column.x + 1}
                      y={s.y}
                      width={Math.max(1, WIDTH / columns.length - 2)}
                      height={s.height}
                    />
                  ))}
                </g>
              ))}
            </svg>
            {/* the weeks' start dates under their columns (the picture's description says them
                all to a screen reader) */}
            <ol
              className="week-axis"
              aria-hidden="true"
              style={{ gridTemplateColumns: `repeat(${Math.max(1, columns.length)}, 1fr)` }}
            >
              {labels.map((label) => (
                <li
                  key={label.weekStart}
                  className={label.narrow ? undefined : "wide-only"}
                  style={{ gridColumn: label.column }}
                >
                  {label.text}
                </li>
              ))}
            </ol>
            <ul className="counts legend">
              {STATUSES.map((status) => (
                <li key={status} className={`status ${status.toLowerCase()}`}>
                  {t(`status.${status}`)}
                </li>
              ))}
            </ul>
          </figure>
          {report.confidence.length ? (
            <div className="table-wrap">
              <table>
                <caption>{t("report.confidence")}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t("report.module")}</th>
                    <th scope="col">{t("report.assessedBy")}</th>
                    <th scope="col">{t("report.mentees")}</th>
                    <th scope="col">{t("report.atStart")}</th>
                    <th scope="col">{t("report.now")}</th>
                  </tr>
                </thead>
                <tbody>
                  {report.confidence.map((c) => (
                    <tr key={`${c.moduleId}-${c.assessedBy}`}>
                      <th scope="row">{c.title ?? c.moduleId}</th>
                      <td>{t(`report.by.${c.assessedBy}`)}</td>
                      <td>{c.mentees}</td>
                      <td>{decimal.format(c.atStart)}</td>
                      <td>{decimal.format(c.now)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : (
            <p>{t("report.noConfidence")}</p>
          )}
          <button
            type="button"
            onClick={() => {
              setDownloadProblem(null);
              downloadFile(
                report.csvPath,
                session.token,
                `report-${programId}-${report.from}-${report.to}.csv`,
              ).catch((e: unknown) => setDownloadProblem(String(e)));
            }}
          >
            {t("report.csv")}
          </button>
          {downloadProblem ? (
            <p role="alert" className="problem">
              {t("report.csvFailed", { reason: downloadProblem })}
            </p>
          ) : null}
        </>
      ) : null}
    </section>
  );
}

import { useTranslation } from "react-i18next";
import { useQuery } from "urql";
import { graphql } from "../gql";
import type { ParticipantRole } from "../gql/graphql";
import { Problem } from "./Problem";

const SeriesQuery = graphql(`
  query ConfidenceSeries($menteeId: ID!, $moduleId: ID!) {
    menteeProgressDetail(menteeId: $menteeId) {
      menteeId
      confidenceSeries(moduleId: $moduleId, first: 50) {
        nodes {
          checkInId
          recordedAt
          confidence
          assessedBy
        }
      }
    }
  }
`);

export interface Point {
  recordedAt: string;
  confidence: number;
  assessedBy: ParticipantRole;
}

const WIDTH = 240;
const HEIGHT = 100;
const PAD = 14;

/** Where each point goes: time along x (check-in order when all share one instant), the level
 * 1 to 5 up y. */
export function layout(points: Point[]): { x: number; y: number; point: Point }[] {
  const times = points.map((p) => Date.parse(p.recordedAt));
  const first = Math.min(...times);
  const span = Math.max(...times) - first;
  return points.map((point, i) => ({
    point,
    x:
      PAD +
      (WIDTH - 2 * PAD) *
        (span > 0 ? (times[i]! - first) / span : points.length > 1 ? i / (points.length - 1) : 0.5),
    y: HEIGHT - PAD - ((HEIGHT - 2 * PAD) * (point.confidence - 1)) / 4,
  }));
}

/** One module's confidence over time, the mentee's and the mentor's assessments as two lines
 * (plain SVG), described in words for screen readers. */
export function ConfidenceChart({
  menteeId,
  moduleId,
  title,
  current,
}: {
  menteeId: string;
  moduleId: string;
  title: string;
  current: boolean;
}) {
  const { t } = useTranslation();
  const [result] = useQuery({ query: SeriesQuery, variables: { menteeId, moduleId } });
  const points = result.data?.menteeProgressDetail?.confidenceSeries?.nodes ?? [];
  const placed = layout(points);
  const described = points.length
    ? t("chart.described", {
        module: title,
        levels: points.map((p) => `${p.confidence} (${t(`detail.by.${p.assessedBy}`)})`).join(", "),
      })
    : t("chart.empty", { module: title });
  return (
    <figure className={`chart ${current ? "current" : ""}`} aria-current={current || undefined}>
      <figcaption>{title}</figcaption>
      <Problem error={result.error} />
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={described}>
        {[1, 2, 3, 4, 5].map((level) => {
          const y = HEIGHT - PAD - ((HEIGHT - 2 * PAD) * (level - 1)) / 4;
          return (
            <g key={level}>
              <line x1={PAD} x2={WIDTH - PAD / 2} y1={y} y2={y} className="grid" />
              <text x={2} y={y + 3} className="axis">
                {level}
              </text>
            </g>
          );
        })}
        {(["MENTEE", "MENTOR"] as const).map((by) => {
          const mine = placed.filter((p) => p.point.assessedBy === by);
          return (
            <g key={by} className={`series ${by.toLowerCase()}`}>
              {mine.length > 1 ? (
                <polyline points={mine.map((p) => `${p.x},${p.y}`).join(" ")} fill="none" />
              ) : null}
              {mine.map((p, i) =>
                by === "MENTEE" ? (
                  <circle key={i} cx={p.x} cy={p.y} r={3.5} />
                ) : (
                  <rect key={i} x={p.x - 3.5} y={p.y - 3.5} width={7} height={7} />
                ),
              )}
            </g>
          );
        })}
      </svg>
    </figure>
  );
}

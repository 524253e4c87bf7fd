import { describe, expect, it } from "vitest";
import { funnelBars, isoDay, weekColumns, weekLabels } from "./Report";

describe("the report's funnel", () => {
  it("draws each stage in proportion to the largest, one bar under the other", () => {
    const bars = funnelBars([
      { stage: "REGISTERED", count: 10 },
      { stage: "PROPOSED", count: 5 },
      { stage: "ACCEPTED", count: 0 },
    ]);
    expect(bars.map((b) => b.width)).toEqual([200, 100, 0]);
    expect(bars.map((b) => b.y)).toEqual([0, 24, 48]);
  });

  it("draws no bar wider than zero when nobody registered", () => {
    expect(funnelBars([{ stage: "REGISTERED", count: 0 }]).map((b) => b.width)).toEqual([0]);
  });
});

describe("the report's weeks", () => {
  it("stacks the statuses of a week from the bottom, scaled to the busiest week", () => {
    const columns = weekColumns([
      {
        weekStart: "2026-11-23",
        byStatus: [
          { status: "AT_RISK", count: 1 },
          { status: "ON_TRACK", count: 3 },
        ],
      },
      { weekStart: "2026-11-30", byStatus: [{ status: "ON_TRACK", count: 2 }] },
    ]);
    expect(columns.map((c) => c.x)).toEqual([0, 160]);
    // ON_TRACK first (the bottom), then AT_RISK on top of it; the 4 mentees fill the height
    expect(columns[0]!.segments).toEqual([
      { status: "ON_TRACK", y: 30, height: 90 },
      { status: "AT_RISK", y: 0, height: 30 },
    ]);
    expect(columns[1]!.segments).toEqual([{ status: "ON_TRACK", y: 60, height: 60 }]);
  });

  it("leaves out the statuses nobody is in", () => {
    const [column] = weekColumns([
      { weekStart: "2026-11-30", byStatus: [{ status: "STALLED", count: 0 }] },
    ]);
    expect(column!.segments).toEqual([]);
  });
});

describe("the weeks' labels", () => {
  const twelve = Array.from({ length: 12 }, (_, i) =>
    new Date(Date.UTC(2026, 8, 14 + 7 * i)).toISOString().slice(0, 10),
  );

  it("give each week's start date in the reader's language", () => {
    const few = twelve.slice(0, 3);
    expect(weekLabels(few, "en").map((l) => l.text)).toEqual(["Sep 14", "Sep 21", "Sep 28"]);
    expect(weekLabels(few, "fr").map((l) => l.text)).toEqual(["14 sept.", "21 sept.", "28 sept."]);
    // a few weeks fit side by side on a phone too
    expect(weekLabels(few, "en").every((l) => l.narrow)).toBe(true);
  });

  it("label every second week of twelve on a wide screen, every fourth on a phone", () => {
    const labels = weekLabels(twelve, "en");
    expect(labels.map((l) => l.column)).toEqual([1, 3, 5, 7, 9, 11]);
    expect(labels.filter((l) => l.narrow).map((l) => l.text)).toEqual([
      "Sep 14",
      "Oct 12",
      "Nov 9",
    ]);
  });

  it("leave out a label that would run past the right edge", () => {
    const many = Array.from({ length: 26 }, (_, i) =>
      new Date(Date.UTC(2026, 0, 5 + 7 * i)).toISOString().slice(0, 10),
    );
    const labels = weekLabels(many, "fr");
    const last = labels.at(-1)!;
    // the last column starts 25/26 of the way across: no label fits there
    expect(last.column).toBeLessThan(26);
    expect(labels.every((l) => l.column % 3 === 1 || l.column === 1)).toBe(true);
  });

  it("label nothing when there is no week", () => {
    expect(weekLabels([], "en")).toEqual([]);
  });
});

describe("the period", () => {
  it("is written as ISO dates", () => {
    expect(isoDay(new Date("2026-12-07T23:30:00Z"))).toBe("2026-12-07");
  });
});

import { describe, expect, it } from "vitest";
import { layout } from "./ConfidenceChart";

const at = (iso: string, confidence: number) => ({
  recordedAt: iso,
  confidence,
  assessedBy: "MENTEE" as const,
});

describe("the confidence chart's layout", () => {
  it("puts time along x and the level up y (5 at the top)", () => {
    const placed = layout([
      at("2026-12-01T00:00:00.000Z", 5),
      at("2026-12-02T00:00:00.000Z", 1),
      at("2026-12-05T00:00:00.000Z", 3),
    ]);
    expect(placed.map((p) => Math.round(p.x))).toEqual([14, 67, 226]);
    expect(placed.map((p) => p.y)).toEqual([14, 86, 50]);
  });

  it("spreads check-ins of one instant evenly, and centres a single one", () => {
    const same = "2026-12-01T00:00:00.000Z";
    expect(layout([at(same, 2), at(same, 3)]).map((p) => p.x)).toEqual([14, 226]);
    expect(layout([at(same, 4)]).map((p) => p.x)).toEqual([120]);
  });
});

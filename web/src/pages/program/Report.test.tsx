import { render, screen, within } from "@testing-library/react";
import { Provider } from "urql";
import { describe, expect, it } from "vitest";
import { SessionProvider } from "../../auth/session";
import i18n from "../../i18n";
import { fakeClient, signedInAs } from "../../test-client";
import { Report, funnelBars, isoDay, weekColumns, weekLabels } from "./Report";

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

describe("the report's confidence per module", () => {
  function report(confidence: unknown[]) {
    return {
      programReport: {
        __typename: "ProgramReport",
        programId: "pg_1",
        from: "2026-09-14",
        to: "2026-12-06",
        funnel: [],
        timeToMatch: { matched: 0, medianHours: null },
        weeks: [],
        confidence,
        activeMatches: 0,
        sessionsPerActiveMatch: null,
        csvPath: "/reports/programs/pg_1.csv",
      },
    };
  }

  function shown(confidence: unknown[]) {
    signedInAs("u-admin", "admin");
    const { client } = fakeClient({ ProgramReport: () => report(confidence) });
    render(
      <SessionProvider>
        <Provider value={client}>
          <Report programId="pg_1" />
        </Provider>
      </SessionProvider>,
    );
  }

  it("names each module by its title (its id when the path has none) with both means", () => {
    shown([
      {
        moduleId: "purpose",
        title: "Purpose and strategy",
        assessedBy: "MENTEE",
        mentees: 2,
        atStart: 2,
        now: 3.5,
      },
      { moduleId: "gone", title: null, assessedBy: "MENTOR", mentees: 1, atStart: 4, now: 4 },
    ]);

    const table = screen.getByRole("table", { name: /^Confidence per module/ });
    const rows = within(table).getAllByRole("row").slice(1);
    expect(rows.map((r) => [...r.children].map((c) => c.textContent))).toEqual([
      ["Purpose and strategy", "the mentee", "2", "2", "3.5"],
      ["gone", "the mentor", "1", "4", "4"],
    ]);
  });

  it("says so when nobody has checked in", () => {
    shown([]);

    expect(screen.getByText("No check-in yet.")).toBeTruthy();
    expect(screen.queryByRole("table")).toBeNull();
  });

  it("writes the means the French way in French", async () => {
    await i18n.changeLanguage("fr");
    try {
      shown([
        {
          moduleId: "purpose",
          title: "Sens et stratégie",
          assessedBy: "MENTEE",
          mentees: 2,
          atStart: 2.25,
          now: 3.5,
        },
      ]);
      const table = screen.getByRole("table", { name: /^Confiance par module/ });
      const row = within(table).getAllByRole("row")[1]!;
      expect([...row.children].map((c) => c.textContent)).toEqual([
        "Sens et stratégie",
        "le mentoré",
        "2",
        "2,3",
        "3,5",
      ]);
    } finally {
      await i18n.changeLanguage("en");
    }
  });
});

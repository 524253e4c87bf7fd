import { afterEach, describe, expect, it, vi } from "vitest";
import { downloadCsv, funnelBars, isoDay, weekColumns } from "./Report";

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

describe("the period", () => {
  it("is written as ISO dates", () => {
    expect(isoDay(new Date("2026-12-07T23:30:00Z"))).toBe("2026-12-07");
  });
});

describe("the CSV download", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("sends the bearer token and saves the answer under the given name", async () => {
    const fetchMock = vi.fn(async () => new Response("section,item\n", { status: 200 }));
    vi.stubGlobal("fetch", fetchMock);
    URL.createObjectURL = vi.fn(() => "blob:report");
    URL.revokeObjectURL = vi.fn();
    const clicked: { href: string; download: string }[] = [];
    const click = vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(function (
      this: HTMLAnchorElement,
    ) {
      clicked.push({ href: this.href, download: this.download });
    });
    await downloadCsv("/reports/programs/p1.csv?from=2026-01-01", "tok", "report.csv");
    expect(fetchMock).toHaveBeenCalledWith("/reports/programs/p1.csv?from=2026-01-01", {
      headers: { Authorization: "Bearer tok" },
    });
    expect(clicked).toEqual([{ href: "blob:report", download: "report.csv" }]);
    expect(URL.revokeObjectURL).toHaveBeenCalledWith("blob:report");
    click.mockRestore();
  });

  it("fails with the status when the gateway refuses", async () => {
    vi.stubGlobal(
      "fetch",
      vi.fn(async () => new Response("", { status: 403, statusText: "Forbidden" })),
    );
    await expect(downloadCsv("/reports/x.csv", "tok", "r.csv")).rejects.toThrow("403 Forbidden");
  });
});

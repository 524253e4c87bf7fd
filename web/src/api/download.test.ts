import { afterEach, describe, expect, it, vi } from "vitest";
import { downloadFile } from "./download";

describe("a download with the bearer token", () => {
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
    await downloadFile("/reports/programs/p1.csv?from=2026-01-01", "tok", "report.csv");
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
    await expect(downloadFile("/reports/x.csv", "tok", "r.csv")).rejects.toThrow("403 Forbidden");
  });
});

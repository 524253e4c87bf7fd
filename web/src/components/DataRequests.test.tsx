import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Provider, type Client } from "urql";
import { afterEach, describe, expect, it, vi } from "vitest";
import { SessionProvider } from "../auth/session";
import "../i18n";
import { fakeClient, signedInAs } from "../test-client";
import { ErasureProgress, ExportProgress } from "./DataRequests";

function renderWith(client: Client, children: React.ReactNode) {
  signedInAs("u-ann", "mentee");
  render(
    <SessionProvider>
      <Provider value={client}>{children}</Provider>
    </SessionProvider>,
  );
}

function dataExport(status: string, parts: number) {
  return {
    dataExport: {
      __typename: "DataExport",
      id: "dx-1",
      status,
      requestedAt: "2026-12-07T09:00:00.000Z",
      completedAt: status === "COMPLETE" ? "2026-12-07T09:00:05.000Z" : null,
      expiresAt: "2026-12-08T09:00:00.000Z",
      downloadPath: status === "COMPLETE" ? "/data-exports/dx-1.zip" : null,
      parts: ["MENTORING", "PROGRESS", "NOTIFY"].slice(0, parts).map((service) => ({
        __typename: "DataExportPart",
        service,
        readyAt: "2026-12-07T09:00:01.000Z",
      })),
    },
  };
}

afterEach(() => vi.unstubAllGlobals());

describe("a data export's progress", () => {
  it("asks again while it is pending, then offers the archive, downloaded with the bearer token", async () => {
    let asked = 0;
    const { client } = fakeClient({
      DataExport: () => (++asked < 3 ? dataExport("PENDING", asked) : dataExport("COMPLETE", 3)),
    });
    const fetchMock = vi.fn(async () => new Response("zip", { status: 200 }));
    vi.stubGlobal("fetch", fetchMock);
    URL.createObjectURL = vi.fn(() => "blob:zip");
    URL.revokeObjectURL = vi.fn();
    const saved: string[] = [];
    const click = vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(function (
      this: HTMLAnchorElement,
    ) {
      saved.push(this.download);
    });
    renderWith(client, <ExportProgress id="dx-1" filename="my-data" every={5} />);

    expect(screen.getByRole("status").textContent).toBe(
      "Export under way: the services are gathering the data. (1 of 3 parts ready)",
    );
    const download = await screen.findByRole("button", { name: "Download the archive (ZIP)" });
    expect(asked).toBeGreaterThanOrEqual(3);
    expect(screen.getByRole("status").textContent).toBe("Export ready.");

    await userEvent.click(download);

    expect(fetchMock).toHaveBeenCalledWith("/data-exports/dx-1.zip", {
      headers: { Authorization: "Bearer tok" },
    });
    expect(saved).toEqual(["my-data.zip"]);
    click.mockRestore();
  });

  it("says that an expired export can no longer be downloaded", () => {
    renderWith(
      fakeClient({ DataExport: () => dataExport("EXPIRED", 3) }).client,
      <ExportProgress id="dx-1" filename="x" />,
    );

    expect(screen.getByRole("status").textContent).toBe(
      "This export has expired: ask for a new one.",
    );
    expect(screen.queryByRole("button")).toBeNull();
  });

  it("shows a refusal", () => {
    renderWith(
      fakeClient({
        DataExport: () => ({
          dataExport: { __typename: "NotFound", message: "No such export.", kind: null, id: "x" },
        }),
      }).client,
      <ExportProgress id="dx-1" filename="x" />,
    );

    expect(screen.getByRole("alert").textContent).toBe("Not found: No such export.");
  });
});

describe("a data erasure's progress", () => {
  it("names the services done while pending, until every one is", async () => {
    let asked = 0;
    const done = (services: string[]) =>
      services.map((service) => ({
        __typename: "DataErasureDone",
        service,
        doneAt: "2026-12-07T09:00:01.000Z",
      }));
    const { client } = fakeClient({
      DataErasure: () => ({
        dataErasure: {
          __typename: "DataErasure",
          id: "de-1",
          status: ++asked < 2 ? "PENDING" : "COMPLETE",
          requestedAt: "2026-12-07T09:00:00.000Z",
          completedAt: null,
          done:
            asked < 2 ? done(["MENTORING", "NOTIFY"]) : done(["MENTORING", "NOTIFY", "PROGRESS"]),
        },
      }),
    });
    renderWith(client, <ErasureProgress id="de-1" every={5} />);

    expect(screen.getByRole("status").textContent).toBe(
      "Erasure under way. Done so far: mentoring, notifications.",
    );
    expect(await screen.findByText("Erased: every service is done.")).toBeTruthy();
  });
});

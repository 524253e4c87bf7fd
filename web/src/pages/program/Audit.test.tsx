import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { CombinedError, Provider, type Client } from "urql";
import { afterEach, describe, expect, it, vi } from "vitest";
import { SessionProvider } from "../../auth/session";
import "../../i18n";
import { fakeClient, signedInAs } from "../../test-client";
import { Audit, changes, readable } from "./Audit";

function record(n: number, fields: Record<string, unknown> = {}) {
  return {
    __typename: "AuditRecord",
    id: `a-${n}`,
    at: "2026-12-07T09:30:00.000Z",
    actorId: "u-admin",
    action: "PROGRAM_CHANGED",
    objectKind: "PROGRAM",
    objectId: "pg_1",
    before: null,
    after: null,
    ...fields,
  };
}

function page(nodes: unknown[], next: string | null = null) {
  return {
    auditLog: {
      __typename: "AuditLog",
      csvPath: "/audit/programs/pg_1.csv",
      pageInfo: { __typename: "PageInfo", hasNextPage: next !== null, endCursor: next },
      nodes,
    },
  };
}

function renderWith(client: Client) {
  signedInAs("u-admin", "admin");
  render(
    <SessionProvider>
      <Provider value={client}>
        <Audit programId="pg_1" />
      </Provider>
    </SessionProvider>,
  );
}

afterEach(() => vi.unstubAllGlobals());

describe("the audit trail", () => {
  it("shows who did what, when, on which object, with the values before and after", () => {
    const { client, asked } = fakeClient({
      AuditLog: () =>
        page([
          record(2, {
            actorId: "u-other",
            action: "PARTICIPANT_WITHDRAWN",
            objectKind: "PARTICIPANT",
            objectId: "pt_9",
            before: { status: "active" },
            after: { status: "withdrawn", reason: "Moved" },
          }),
          record(1, { before: { mutualAcceptance: false }, after: { mutualAcceptance: true } }),
        ]),
    });
    renderWith(client);

    expect(asked).toEqual([{ name: "AuditLog", variables: { programId: "pg_1", after: null } }]);
    const table = screen.getByRole("table", { name: "Administrative actions, newest first" });
    const rows = within(table).getAllByRole("row").slice(1);
    expect(rows.map((r) => within(r).getByRole("rowheader").textContent)).toEqual([
      "Participant withdrawn",
      "Program changed",
    ]);
    const cells = within(rows[0]!)
      .getAllByRole("cell")
      .map((c) => c.textContent);
    expect(cells[1]).toBe("u-other");
    expect(cells[2]).toBe("participant pt_9");
    expect(cells[3]).toContain("statusactive → withdrawn");
    expect(cells[3]).toContain("reasonMoved");
    expect(within(rows[1]!).getAllByRole("cell")[1]!.textContent).toBe("you");
    expect(within(rows[1]!).getAllByRole("cell")[3]!.textContent).toBe(
      "mutualAcceptancefalse → true",
    );
  });

  it("pages through the trail", async () => {
    const { client, asked } = fakeClient({
      AuditLog: (v) =>
        v.after === "c-20"
          ? page([record(3, { action: "MATCHING_RUN" })])
          : page([record(4)], "c-20"),
    });
    renderWith(client);

    await userEvent.click(screen.getByRole("button", { name: "Next page" }));

    expect(asked.at(-1)?.variables).toEqual({ programId: "pg_1", after: "c-20" });
    expect(screen.getByRole("rowheader", { name: "Matching run" })).toBeTruthy();
    expect(screen.getByRole("button", { name: "Previous page" })).toBeTruthy();
  });

  it("asks the server again when refreshed: actions are recorded a few seconds after", async () => {
    let asked = 0;
    const { client } = fakeClient({
      AuditLog: () => (++asked === 1 ? page([]) : page([record(1, { action: "DATA_EXPORTED" })])),
    });
    renderWith(client);
    expect(screen.getByText("Nothing has been recorded in this program yet.")).toBeTruthy();

    await userEvent.click(screen.getByRole("button", { name: "Refresh" }));

    expect(screen.getByRole("rowheader", { name: "Data exported" })).toBeTruthy();
  });

  it("says when nothing is recorded yet", () => {
    renderWith(fakeClient({ AuditLog: () => page([]) }).client);

    expect(screen.getByText("Nothing has been recorded in this program yet.")).toBeTruthy();
    expect(screen.queryByRole("table")).toBeNull();
  });

  it("says why the trail is not shown", () => {
    renderWith(
      fakeClient({
        AuditLog: () => ({ auditLog: { __typename: "Forbidden", message: "Admins only." } }),
      }).client,
    );

    expect(screen.getByRole("alert").textContent).toBe("Not allowed: Admins only.");
  });

  it("says when the gateway cannot be reached", () => {
    renderWith(
      fakeClient({
        AuditLog: () => new CombinedError({ networkError: new Error("Failed to fetch") }),
      }).client,
    );

    expect(screen.getByRole("alert").textContent).toContain("The server cannot be reached.");
  });

  it("downloads the whole trail as CSV with the bearer token", async () => {
    const fetchMock = vi.fn(async () => new Response("at,actor\n", { status: 200 }));
    vi.stubGlobal("fetch", fetchMock);
    URL.createObjectURL = vi.fn(() => "blob:audit");
    URL.revokeObjectURL = vi.fn();
    const click = vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(() => {});
    renderWith(fakeClient({ AuditLog: () => page([record(1)]) }).client);

    await userEvent.click(screen.getByRole("button", { name: "Download the trail as CSV" }));

    expect(fetchMock).toHaveBeenCalledWith("/audit/programs/pg_1.csv", {
      headers: { Authorization: "Bearer tok" },
    });
    expect(click).toHaveBeenCalledOnce();
    click.mockRestore();
  });
});

describe("an action's changes", () => {
  it("pair each field's value before with its value after, either possibly absent", () => {
    expect(changes({ a: 1, b: "x" }, { b: "y", c: [1] })).toEqual([
      ["a", 1, undefined],
      ["b", "x", "y"],
      ["c", undefined, [1]],
    ]);
    expect(changes(null, null)).toEqual([]);
  });

  it("are written as a person reads them: lists as their items, objects as their fields", () => {
    expect(readable(["demo-admin", "u-2"])).toBe("demo-admin, u-2");
    expect(readable({ goal_coverage: 40, department: 10 })).toBe(
      "goal_coverage: 40, department: 10",
    );
    expect(readable(false)).toBe("false");
    expect(readable(null)).toBe("–");
  });
});

import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter, Route, Routes } from "react-router";
import { Provider, type Client } from "urql";
import { describe, expect, it } from "vitest";
import { fromValue } from "wonka";
import { SessionProvider } from "../../auth/session";
import "../../i18n";
import { Supervision } from "./Supervision";

type Asked = { name: string; variables: Record<string, unknown> }[];

function mentee(n: number) {
  return {
    __typename: "DashboardMentee",
    menteeId: `mentee-${n}`,
    status: n === 1 ? "AT_RISK" : "ON_TRACK",
    confidenceTrend: n === 1 ? "FALLING" : "STEADY",
    lastActivityAt: n === 1 ? "2026-12-01T10:00:00Z" : null,
    unreadAlerts: n === 1 ? 2 : 0,
    progress: { __typename: "MenteeProgress", menteeId: `mentee-${n}`, percent: 10 * n },
    profile: {
      __typename: "Participant",
      id: `mentee-${n}`,
      displayName: `Mentee ${n}`,
      department: null,
    },
  };
}

/** A client answering the supervision query: the first page holds mentees 1 and 2 and says
 * there is another, the second holds mentee 3. */
function answering(asked: Asked): Client {
  return {
    executeQuery: (request: {
      query: { definitions: { name?: { value: string } }[] };
      variables: Record<string, unknown>;
    }) => {
      asked.push({
        name: request.query.definitions[0]?.name?.value ?? "",
        variables: request.variables,
      });
      const second = request.variables.after === "c-2";
      return fromValue({
        operation: request,
        data: {
          mentor: {
            __typename: "Participant",
            id: "mentor-1",
            programId: "p-1",
            displayName: "Maud Mentor",
            email: "maud@example.com",
            department: "Finance",
            capacity: 3,
            openMatches: 2,
          },
          mentorDashboard: {
            __typename: "MentorDashboard",
            byStatus: [
              { __typename: "StatusCount", status: "ON_TRACK", count: 2 },
              { __typename: "StatusCount", status: "AT_RISK", count: 1 },
            ],
            mentees: {
              __typename: "DashboardMenteeConnection",
              pageInfo: {
                __typename: "PageInfo",
                hasNextPage: !second,
                endCursor: second ? null : "c-2",
              },
              nodes: second ? [mentee(3)] : [mentee(1), mentee(2)],
            },
          },
        },
        stale: false,
        hasNext: false,
      });
    },
  } as unknown as Client;
}

function renderAt(path: string, client: Client) {
  localStorage.setItem("mentorship.language", "en");
  render(
    <SessionProvider>
      <Provider value={client}>
        <MemoryRouter initialEntries={[path]}>
          <Routes>
            <Route
              path="/programs/:id/mentors/:mentorId"
              element={<Supervision programId="p-1" />}
            />
          </Routes>
        </MemoryRouter>
      </Provider>
    </SessionProvider>,
  );
}

describe("a mentor's supervision page", () => {
  it("asks for the mentor of the address and shows their load and mentees by status", () => {
    const asked: Asked = [];
    renderAt("/programs/p-1/mentors/mentor-1", answering(asked));

    expect(asked[0]).toEqual({
      name: "Supervision",
      variables: { mentorId: "mentor-1", after: null },
    });
    expect(screen.getByRole("heading", { name: "Supervising Maud Mentor" })).toBeTruthy();
    expect(screen.getByRole("meter", { name: "Open matches against capacity" })).toHaveProperty(
      "value",
      2,
    );
    expect(screen.getByText(/2 of 3 · 1 free place/)).toBeTruthy();
    const counts = screen.getByRole("list", { name: "Mentees by status" });
    expect(
      within(counts)
        .getAllByRole("listitem")
        .map((li) => li.textContent),
    ).toEqual(["2 On track", "1 At risk"]);
    expect(screen.getByRole("link", { name: "Back to the roster" }).getAttribute("href")).toBe(
      "/programs/p-1/roster",
    );
  });

  it("lists each mentee with status, progress, trend and unread alerts, opening their page", () => {
    renderAt("/programs/p-1/mentors/mentor-1", answering([]));

    const table = screen.getByRole("table", { name: "Their mentees in your programs" });
    const rows = within(table).getAllByRole("row").slice(1);
    expect(rows).toHaveLength(2);
    const first = within(rows[0]!)
      .getAllByRole("cell")
      .map((c) => c.textContent);
    expect(first[0]).toBe("At risk");
    expect(first[1]).toBe("10%");
    expect(first[2]).toContain("falling");
    expect(first[4]).toBe("2");
    expect(within(rows[1]!).getAllByRole("cell")[3]!.textContent).toBe("–");
    expect(within(rows[0]!).getByRole("link", { name: "Mentee 1" }).getAttribute("href")).toBe(
      "/mentees/mentee-1",
    );
  });

  it("pages through the mentees", async () => {
    const asked: Asked = [];
    renderAt("/programs/p-1/mentors/mentor-1", answering(asked));

    await userEvent.click(screen.getByRole("button", { name: "Next page" }));

    expect(asked.at(-1)?.variables).toEqual({ mentorId: "mentor-1", after: "c-2" });
    expect(screen.getByRole("link", { name: "Mentee 3" })).toBeTruthy();
    expect(screen.queryByRole("link", { name: "Mentee 1" })).toBeNull();
    expect(screen.getByRole("button", { name: "Previous page" })).toBeTruthy();
  });
});

import { act, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter } from "react-router";
import { CombinedError, Provider, type Client, type OperationResult } from "urql";
import { GraphQLError } from "graphql";
import { describe, expect, it, vi } from "vitest";
import { fromValue, makeSubject, never } from "wonka";
import { ParticipationProvider } from "../api/participation";
import { SessionProvider } from "../auth/session";
import "../i18n";
import { Layout, RESUBSCRIBE_MS } from "./Layout";

interface Request {
  query: { definitions: { name?: { value: string } }[] };
}

function fakeClient(unread: number, programs: string[] = ["Pilot"]) {
  let live = makeSubject<OperationResult>();
  const asked = { subscriptions: 0, unread: 0 };
  const participations = programs.map((name, i) => ({
    participantId: `pt-${i}`,
    roles: ["MENTOR", "MENTEE"],
    status: "ACTIVE",
    participant: { id: `pt-${i}`, displayName: "Grace", language: "EN" },
    program: { id: `pg-${i}`, name, status: "OPEN", mutualAcceptance: false },
  }));
  const client = {
    executeQuery: (request: Request) => {
      const mine = request.query.definitions[0]?.name?.value === "MyParticipations";
      if (!mine) asked.unread += 1;
      return fromValue(
        mine
          ? { data: { me: { userId: "u-grace", participations } } }
          : { data: { notifications: { unread } } },
      );
    },
    executeSubscription: () => {
      asked.subscriptions += 1;
      live = makeSubject<OperationResult>();
      return live.source;
    },
    executeMutation: () => never,
  } as unknown as Client;
  return {
    client,
    get live() {
      return live;
    },
    asked,
  };
}

function renderAs(role: "mentor" | "mentee", client: Client) {
  localStorage.removeItem("mentorship.participation.u-grace");
  localStorage.setItem("mentorship.language", "en");
  localStorage.setItem(
    "mentorship.session",
    JSON.stringify({ token: "t", userId: "u-grace", name: "Grace", role }),
  );
  render(
    <SessionProvider>
      <MemoryRouter>
        <Provider value={client}>
          <ParticipationProvider>
            <Layout>
              <h1>Page</h1>
            </Layout>
          </ParticipationProvider>
        </Provider>
      </MemoryRouter>
    </SessionProvider>,
  );
}

describe("Layout", () => {
  it("shows the unread count on the inbox badge, and each live notification as a toast", () => {
    const fake = fakeClient(2);
    renderAs("mentor", fake.client);
    expect(screen.getByTestId("inbox-badge").textContent).toBe("2");
    expect(screen.queryAllByRole("status")).toHaveLength(0);

    act(() => {
      fake.live.next({
        data: {
          notifications: {
            id: "n-1",
            kind: "PROGRESS_CONFIDENCE_DROPPED",
            priority: "HIGH",
            title: "Ada's confidence dropped",
            body: "From 4/5 to 1/5.",
            subjectId: "pt-ada",
            createdAt: "2026-12-07T09:00:00.000Z",
            readAt: null,
            about: {
              opens: "CHECK_IN",
              programId: "pg-1",
              menteeId: "pt-ada",
              moduleId: "purpose",
              checkInId: "ci-7",
            },
          },
        },
      } as unknown as OperationResult);
    });

    const toast = screen.getByRole("status");
    expect(toast.textContent).toContain("Ada's confidence dropped");
    // it opens the mentee's page on the check-in it is about
    expect(toast.querySelector("a")?.getAttribute("href")).toBe(
      "/mentees/pt-ada?checkIn=ci-7&module=purpose",
    );
  });

  it("subscribes again after the gateway ended live notifications, and reads the count again", () => {
    vi.useFakeTimers();
    try {
      const fake = fakeClient(2);
      renderAs("mentor", fake.client);
      const before = { ...fake.asked };
      expect(before.subscriptions).toBeGreaterThan(0);

      act(() => {
        fake.live.next({
          data: undefined,
          error: new CombinedError({
            graphQLErrors: [
              new GraphQLError("dropped", { extensions: { code: "SLOW_SUBSCRIBER" } }),
            ],
          }),
        } as unknown as OperationResult);
        fake.live.complete();
      });
      expect(fake.asked.subscriptions).toBe(before.subscriptions);
      act(() => {
        vi.advanceTimersByTime(RESUBSCRIBE_MS);
      });
      expect(fake.asked.subscriptions).toBe(before.subscriptions + 1);
      expect(fake.asked.unread).toBeGreaterThan(before.unread);
    } finally {
      vi.useRealTimers();
    }
  });

  it("does not subscribe again once the gateway refused the token", () => {
    vi.useFakeTimers();
    try {
      const fake = fakeClient(0);
      renderAs("mentor", fake.client);
      const before = fake.asked.subscriptions;

      act(() => {
        fake.live.next({
          data: undefined,
          error: new CombinedError({
            graphQLErrors: [
              new GraphQLError("expired", { extensions: { code: "UNAUTHENTICATED" } }),
            ],
          }),
        } as unknown as OperationResult);
        fake.live.complete();
      });
      act(() => {
        vi.advanceTimersByTime(RESUBSCRIBE_MS * 3);
      });
      expect(fake.asked.subscriptions).toBe(before);
    } finally {
      vi.useRealTimers();
    }
  });

  it("gives each role its own navigation", () => {
    renderAs("mentee", fakeClient(0).client);

    const links = screen.getAllByRole("link").map((a) => a.textContent?.trim());
    expect(links).toEqual(
      expect.arrayContaining(["My path", "Find a mentor", "Inbox 0", "Preferences"]),
    );
    expect(links).not.toContain("Dashboard");
  });

  it("lets a person in two programs choose one, and keeps the choice", async () => {
    renderAs("mentee", fakeClient(0, ["Pilot", "Second wave"]).client);

    const program = screen.getByLabelText("Program");
    expect((program as HTMLSelectElement).value).toBe("pt-0");
    await userEvent.selectOptions(program, "Second wave");
    expect((program as HTMLSelectElement).value).toBe("pt-1");
    expect(localStorage.getItem("mentorship.participation.u-grace")).toBe("pt-1");
  });

  it("asks no choice of a person in one program", () => {
    renderAs("mentee", fakeClient(0, ["Pilot"]).client);

    expect(screen.queryByLabelText("Program")).toBeNull();
  });
});

import { act, render, screen } from "@testing-library/react";
import { MemoryRouter } from "react-router";
import { Provider, type Client, type OperationResult } from "urql";
import { describe, expect, it } from "vitest";
import { fromValue, makeSubject, never } from "wonka";
import { SessionProvider } from "../auth/session";
import "../i18n";
import { Layout } from "./Layout";

function fakeClient(unread: number) {
  const live = makeSubject<OperationResult>();
  const client = {
    executeQuery: () => fromValue({ data: { notifications: { unread } } }),
    executeSubscription: () => live.source,
    executeMutation: () => never,
  } as unknown as Client;
  return { client, live };
}

function renderAs(role: "mentor" | "mentee", client: Client) {
  localStorage.setItem("mentorship.language", "en");
  localStorage.setItem(
    "mentorship.session",
    JSON.stringify({ token: "t", userId: "u-grace", name: "Grace", role }),
  );
  render(
    <SessionProvider>
      <MemoryRouter>
        <Provider value={client}>
          <Layout>
            <h1>Page</h1>
          </Layout>
        </Provider>
      </MemoryRouter>
    </SessionProvider>,
  );
}

describe("Layout", () => {
  it("shows the unread count on the inbox badge, and each live notification as a toast", () => {
    const { client, live } = fakeClient(2);
    renderAs("mentor", client);
    expect(screen.getByTestId("inbox-badge").textContent).toBe("2");
    expect(screen.queryAllByRole("status")).toHaveLength(0);

    act(() => {
      live.next({
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
          },
        },
      } as unknown as OperationResult);
    });

    const toast = screen.getByRole("status");
    expect(toast.textContent).toContain("Ada's confidence dropped");
    expect(toast.querySelector("a")?.getAttribute("href")).toBe("/inbox/n-1");
  });

  it("gives each role its own navigation", () => {
    renderAs("mentee", fakeClient(0).client);

    const links = screen.getAllByRole("link").map((a) => a.textContent?.trim());
    expect(links).toEqual(
      expect.arrayContaining(["My path", "Find a mentor", "Inbox 0", "Preferences"]),
    );
    expect(links).not.toContain("Dashboard");
  });
});

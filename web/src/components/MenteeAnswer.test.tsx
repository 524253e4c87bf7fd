import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { CombinedError, Provider, type Client } from "urql";
import { describe, expect, it } from "vitest";
import { fromValue, never } from "wonka";
import { SessionProvider } from "../auth/session";
import "../i18n";
import { MenteeAnswer } from "./MenteeAnswer";

const proposal: {
  id: string;
  score: number;
  reasons: string[];
  expiresAt: string;
  menteeMustAccept: boolean;
  mentorAcceptedAt: string | null;
  menteeAcceptedAt: string | null;
  declinedBy?: string | null;
} = {
  id: "m-1",
  score: 72.5,
  reasons: ["Covers your goal purpose"],
  expiresAt: "2026-12-14T09:00:00.000Z",
  menteeMustAccept: true,
  mentorAcceptedAt: null,
  menteeAcceptedAt: null,
};

function renderWith(match: typeof proposal, client: Client) {
  localStorage.setItem("mentorship.language", "en");
  render(
    <SessionProvider>
      <Provider value={client}>
        <MenteeAnswer match={match} />
      </Provider>
    </SessionProvider>,
  );
}

type Sent = { name: string; variables: unknown }[];

function recording(sent: Sent): Client {
  return {
    executeMutation: (request: {
      query: { definitions: { name?: { value: string } }[] };
      variables: unknown;
    }) => {
      sent.push({
        name: request.query.definitions[0]?.name?.value ?? "",
        variables: request.variables,
      });
      return never;
    },
  } as unknown as Client;
}

describe("the mentee's answer to a proposal", () => {
  it("asks the mentee to accept where the program asks both sides, and sends the acceptance", async () => {
    const sent: Sent = [];
    renderWith(proposal, recording(sent));

    expect(screen.getByText(/Your mentor was proposed to you: do you accept\?/)).toBeTruthy();
    expect(screen.getByText("Covers your goal purpose")).toBeTruthy();
    await userEvent.click(screen.getByRole("button", { name: "Accept this mentor" }));

    expect(sent).toEqual([{ name: "MenteeAccept", variables: { id: "m-1" } }]);
    // one answer at a time
    expect(screen.getByRole("button", { name: "Decline" })).toHaveProperty("disabled", true);
  });

  it("sends a decline with its reason", async () => {
    const sent: Sent = [];
    renderWith({ ...proposal, mentorAcceptedAt: "2026-12-07T08:00:00.000Z" }, recording(sent));

    expect(screen.getByText(/Your mentor has accepted: do you accept too\?/)).toBeTruthy();
    await userEvent.type(screen.getByLabelText("Reason for declining"), "Not now");
    await userEvent.click(screen.getByRole("button", { name: "Decline" }));

    expect(sent).toEqual([{ name: "MenteeDecline", variables: { id: "m-1", reason: "Not now" } }]);
  });

  it("says who still has to answer once the mentee accepted", () => {
    renderWith({ ...proposal, menteeAcceptedAt: "2026-12-07T09:00:00.000Z" }, recording([]));
    expect(screen.getByRole("status").textContent).toBe("You accepted: waiting for your mentor.");
    expect(screen.queryByRole("button")).toBeNull();
  });

  it("asks nothing of the mentee where the mentor's acceptance starts the match", () => {
    renderWith({ ...proposal, menteeMustAccept: false }, recording([]));
    expect(screen.getByText("Covers your goal purpose")).toBeTruthy();
    expect(screen.queryByRole("button")).toBeNull();
  });

  it("says it declined once the mentee declined (before the server answered)", () => {
    renderWith({ ...proposal, declinedBy: "MENTEE" }, recording([]));
    expect(screen.getByRole("status").textContent).toBe("You declined this proposal.");
    expect(screen.queryByRole("button")).toBeNull();
  });

  it("says the answer was not saved when the request fails", async () => {
    const failing = {
      executeMutation: (operation: unknown) =>
        fromValue({
          operation,
          error: new CombinedError({ networkError: new Error("Failed to fetch") }),
          stale: false,
          hasNext: false,
        }),
    } as unknown as Client;
    renderWith(proposal, failing);
    await userEvent.click(screen.getByRole("button", { name: "Accept this mentor" }));
    const alerts = await screen.findAllByRole("alert");
    expect(alerts.map((a) => a.textContent)).toContain(
      "Not saved: the page shows it as it was before.",
    );
    // and the mentee can answer again
    expect(screen.getByRole("button", { name: "Accept this mentor" })).toHaveProperty(
      "disabled",
      false,
    );
  });
});

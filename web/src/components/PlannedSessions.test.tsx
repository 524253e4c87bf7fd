import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Provider, type Client } from "urql";
import { describe, expect, it } from "vitest";
import { fromValue, never } from "wonka";
import { SessionProvider } from "../auth/session";
import "../i18n";
import { PlannedSessions, initialSchedule, scheduleInput } from "./PlannedSessions";

const base = {
  menteeId: "me-1",
  timeZone: "Europe/Paris",
  durationMinutes: 45,
  location: "Room 4",
  videoUrl: null as string | null,
  plannedBy: "MENTOR" as const,
  cancelReason: null as string | null,
  unconfirmed: false,
};

const ahead = {
  ...base,
  __typename: "PlannedSession" as const,
  id: "ps-ahead",
  status: "SCHEDULED" as const,
  startsAt: "2099-01-12T13:30:00.000Z",
  localStart: "2099-01-12T14:30",
};

const started = {
  ...ahead,
  id: "ps-started",
  startsAt: "2020-01-12T13:30:00.000Z",
  localStart: "2020-01-12T14:30",
  unconfirmed: true,
};

type Sent = { name: string; variables: Record<string, unknown> }[];
type Request = { query: { definitions: { name?: { value: string } }[] }; variables: never };

function renderWith(
  sessions: unknown[],
  sent: Sent,
  asked: Record<string, unknown>[] = [],
  endCursor: string | null = null,
  focused: string | null = null,
) {
  const client = {
    executeQuery: (request: { variables: Record<string, unknown> }) => {
      asked.push(request.variables);
      const pageInfo = { hasNextPage: endCursor !== null, endCursor };
      return fromValue({ data: { plannedSessions: { nodes: sessions, pageInfo } } });
    },
    executeMutation: (request: Request) => {
      sent.push({
        name: request.query.definitions[0]?.name?.value ?? "",
        variables: request.variables,
      });
      return never;
    },
  } as unknown as Client;
  localStorage.setItem("mentorship.language", "en");
  render(
    <SessionProvider>
      <Provider value={client}>
        <PlannedSessions menteeId="me-1" focused={focused} />
      </Provider>
    </SessionProvider>,
  );
}

describe("the schedule sent to the API", () => {
  it("joins date and time on the zone's clock, and leaves an empty place or link out", () => {
    expect(
      scheduleInput({
        date: "2027-01-12",
        time: "14:30",
        timeZone: " Europe/Paris ",
        durationMinutes: "60",
        location: "  ",
        videoUrl: "https://meet.example/abc",
      }),
    ).toEqual({
      localStart: "2027-01-12T14:30",
      timeZone: "Europe/Paris",
      durationMinutes: 60,
      location: null,
      videoUrl: "https://meet.example/abc",
    });
  });

  it("starts a move from the session's own clock time and zone", () => {
    expect(initialSchedule(ahead)).toEqual({
      date: "2099-01-12",
      time: "14:30",
      timeZone: "Europe/Paris",
      durationMinutes: "45",
      location: "Room 4",
      videoUrl: "",
    });
  });
});

describe("the planned sessions", () => {
  it("plans a session with the form's date, time, zone, duration and place", async () => {
    const sent: Sent = [];
    renderWith([], sent);
    expect(screen.getByText("No upcoming session planned.")).toBeTruthy();
    const form = screen.getByRole("form", { name: "Plan" });
    const date = within(form).getByLabelText("Date");
    await userEvent.clear(date);
    await userEvent.type(date, "2027-03-04");
    const time = within(form).getByLabelText("Time");
    await userEvent.clear(time);
    await userEvent.type(time, "09:15");
    const zone = within(form).getByLabelText("Time zone");
    await userEvent.clear(zone);
    await userEvent.type(zone, "America/New_York");
    await userEvent.type(within(form).getByLabelText("Place"), "Cafeteria");
    await userEvent.click(within(form).getByRole("button", { name: "Plan" }));

    expect(sent).toHaveLength(1);
    expect(sent[0]!.name).toBe("PlanSession");
    expect(sent[0]!.variables).toMatchObject({
      menteeId: "me-1",
      input: {
        localStart: "2027-03-04T09:15",
        timeZone: "America/New_York",
        durationMinutes: 45,
        location: "Cafeteria",
        videoUrl: null,
      },
    });
    expect(typeof sent[0]!.variables.key).toBe("string");
  });

  it("marks the session a notification opened the list on", () => {
    renderWith([ahead, started], [], [], null, "ps-started");
    const [first, second] = screen.getAllByRole("listitem");
    expect(first!.getAttribute("aria-current")).toBeNull();
    expect(second!.getAttribute("aria-current")).toBe("true");
  });

  it("offers to confirm only a session that has started, and cancels with the reason", async () => {
    const sent: Sent = [];
    renderWith([ahead, started], sent);
    const [first, second] = screen.getAllByRole("listitem");
    expect(within(first!).queryByRole("button", { name: "It took place" })).toBeNull();
    expect(within(second!).getByText(/not confirmed/)).toBeTruthy();

    await userEvent.click(within(second!).getByRole("button", { name: "It took place" }));
    await userEvent.type(within(first!).getByLabelText("Reason"), "Ill");
    await userEvent.click(within(first!).getByRole("button", { name: "Cancel the session" }));

    expect(sent).toEqual([
      { name: "ConfirmPlannedSession", variables: { id: "ps-started" } },
      { name: "CancelPlannedSession", variables: { id: "ps-ahead", reason: "Ill" } },
    ]);
  });

  it("moves a session from a form filled with its current schedule", async () => {
    const sent: Sent = [];
    renderWith([ahead], sent);
    await userEvent.click(screen.getByRole("button", { name: "Reschedule" }));
    const form = screen.getByRole("form", { name: "Reschedule" });
    const minutes = within(form).getByLabelText("Minutes");
    await userEvent.clear(minutes);
    await userEvent.type(minutes, "90");
    await userEvent.click(within(form).getByRole("button", { name: "Reschedule" }));

    expect(sent).toEqual([
      {
        name: "ReschedulePlannedSession",
        variables: {
          id: "ps-ahead",
          input: {
            localStart: "2099-01-12T14:30",
            timeZone: "Europe/Paris",
            durationMinutes: 90,
            location: "Room 4",
            videoUrl: null,
          },
        },
      },
    ]);
  });

  it("lists the upcoming sessions first, then the past ones, a page at a time", async () => {
    const asked: Record<string, unknown>[] = [];
    renderWith([ahead], [], asked, "cursor-2");
    expect(asked.at(-1)).toEqual({ menteeId: "me-1", when: "UPCOMING", after: null });
    expect(screen.queryByRole("button", { name: "Previous page" })).toBeNull();

    await userEvent.click(screen.getByRole("button", { name: "Next page" }));
    expect(asked.at(-1)).toEqual({ menteeId: "me-1", when: "UPCOMING", after: "cursor-2" });
    expect(screen.getByRole("button", { name: "Previous page" })).toBeTruthy();

    await userEvent.selectOptions(screen.getByLabelText("Show"), "Past");
    expect(asked.at(-1)).toEqual({ menteeId: "me-1", when: "PAST", after: null });
  });

  it("says when there is no past session", async () => {
    renderWith([], []);
    await userEvent.selectOptions(screen.getByLabelText("Show"), "Past");
    expect(screen.getByText("No past session.")).toBeTruthy();
  });

  it("shows no action on a cancelled session, with its reason", () => {
    renderWith([{ ...ahead, status: "CANCELLED", cancelReason: "Moved abroad" }], []);
    expect(screen.getByText(/Cancelled · Room 4\s+· Moved abroad/)).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Reschedule" })).toBeNull();
  });
});

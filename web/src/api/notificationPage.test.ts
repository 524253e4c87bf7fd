import { describe, expect, it } from "vitest";
import { notificationPage, type About } from "./notificationPage";

const dropped: { id: string; kind: "PROGRESS_CONFIDENCE_DROPPED"; about: About } = {
  id: "n-1",
  kind: "PROGRESS_CONFIDENCE_DROPPED" as const,
  about: {
    opens: "CHECK_IN",
    programId: "pg-1",
    menteeId: "pt-ada",
    moduleId: "purpose",
    checkInId: "ci-7",
  },
};

describe("the page a notification opens", () => {
  it("is the mentee's page on the check-in for their mentor and admins, their path for them", () => {
    expect(notificationPage(dropped, "mentor")).toBe("/mentees/pt-ada?checkIn=ci-7&module=purpose");
    expect(notificationPage(dropped, "admin")).toBe("/mentees/pt-ada?checkIn=ci-7&module=purpose");
    expect(notificationPage(dropped, "mentee")).toBe("/path?checkIn=ci-7&module=purpose");
  });

  it("names the session or milestone it is about", () => {
    const session = {
      id: "n-5",
      kind: "PROGRESS_SESSION_LOGGED_WITHOUT_RATING" as const,
      about: { ...dropped.about, opens: "SESSION" as const, checkInId: null, sessionId: "s 1" },
    };
    expect(notificationPage(session, "mentor")).toBe("/mentees/pt-ada?session=s+1");
    const milestone = {
      id: "n-6",
      kind: "PROGRESS_MILESTONE_COMPLETED" as const,
      about: { ...dropped.about, opens: "MILESTONE" as const, milestoneId: "ms-2" },
    };
    expect(notificationPage(milestone, "mentor")).toBe("/mentees/pt-ada?milestone=ms-2");
  });

  it("opens a planned session's notification on the planned sessions, that one marked", () => {
    const planned = {
      id: "n-8",
      kind: "PROGRESS_SESSION_RESCHEDULED" as const,
      about: {
        opens: "PLANNED_SESSION" as const,
        programId: "pg-1",
        menteeId: "pt-ada",
        plannedSessionId: "ps 1",
      },
    };
    expect(notificationPage(planned, "mentee")).toBe("/path?plannedSession=ps+1");
    expect(notificationPage(planned, "mentor")).toBe("/mentees/pt-ada?plannedSession=ps+1");
    const toConfirm = { ...planned, id: "n-9", kind: "PROGRESS_SESSION_TO_CONFIRM" as const };
    expect(notificationPage(toConfirm, "mentee")).toBe("/path?plannedSession=ps+1");
    expect(notificationPage(toConfirm, "mentor")).toBe("/mentees/pt-ada?plannedSession=ps+1");
  });

  it("sends a proposal to the mentor's proposals, the mentee's path, the admin's matching", () => {
    const proposed = {
      id: "n-2",
      kind: "MATCH_PROPOSED" as const,
      about: { opens: "MATCH" as const, programId: "pg-1", menteeId: "pt-ada", matchId: "m-1" },
    };
    expect(notificationPage(proposed, "mentor")).toBe("/proposals");
    expect(notificationPage(proposed, "mentee")).toBe("/path");
    expect(notificationPage({ ...proposed, kind: "MATCH_DECLINED" }, "admin")).toBe(
      "/programs/pg-1/matching",
    );
  });

  it("opens a mentor's weekly digest on their dashboard, where all their mentees are", () => {
    const digest = {
      id: "n-7",
      kind: "MENTOR_WEEKLY_DIGEST" as const,
      about: { opens: "DASHBOARD" as const, programId: "pg-1" },
    };
    expect(notificationPage(digest, "mentor")).toBe("/dashboard");
    expect(notificationPage(digest, "admin")).toBe("/inbox/n-7");
  });

  it("sends a withdrawal to the roster, and what names nothing to the inbox", () => {
    const withdrawn = {
      id: "n-3",
      kind: "PARTICIPANT_WITHDRAWN" as const,
      about: { opens: null, programId: "pg-1" },
    };
    expect(notificationPage(withdrawn, "admin")).toBe("/programs/pg-1/roster");
    const old = { id: "n/4", kind: "PROGRESS_MENTEE_STALLED" as const, about: {} };
    expect(notificationPage(old, "mentor")).toBe("/inbox/n%2F4");
  });
});

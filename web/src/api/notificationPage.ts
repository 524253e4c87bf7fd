import type { Role } from "../auth/session";
import type { NotificationKind, NotificationTarget } from "../gql/graphql";

export interface About {
  opens?: NotificationTarget | null;
  programId?: string | null;
  menteeId?: string | null;
  matchId?: string | null;
  moduleId?: string | null;
  milestoneId?: string | null;
  checkInId?: string | null;
  sessionId?: string | null;
  plannedSessionId?: string | null;
}

/** The page's address parameters naming the one thing on it a notification is about. */
function focus(about: About): string {
  const params = new URLSearchParams();
  if (about.opens === "CHECK_IN" && about.checkInId) params.set("checkIn", about.checkInId);
  if (about.opens === "SESSION" && about.sessionId) params.set("session", about.sessionId);
  if (about.opens === "MILESTONE" && about.milestoneId) params.set("milestone", about.milestoneId);
  if (about.opens === "PLANNED_SESSION" && about.plannedSessionId) {
    params.set("plannedSession", about.plannedSessionId);
  }
  if ((about.opens === "MODULE" || about.opens === "CHECK_IN") && about.moduleId) {
    params.set("module", about.moduleId);
  }
  const query = params.toString();
  return query ? `?${query}` : "";
}

const PROPOSAL_KINDS: NotificationKind[] = ["MATCH_PROPOSED", "MATCH_ACCEPTANCE_GIVEN"];

/** The page of the app that a notification opens, from what it is about (``about.opens`` and
 * its ids) and who reads it; the inbox entry itself when it names nothing the app shows. */
export function notificationPage(
  notification: { id: string; kind: NotificationKind; about: About },
  role: Role,
): string {
  const { about, kind } = notification;
  const inbox = `/inbox/${encodeURIComponent(notification.id)}`;
  const program = about.programId ? `/programs/${encodeURIComponent(about.programId)}` : null;
  if (about.opens === "DASHBOARD") return role === "mentor" ? "/dashboard" : inbox;
  if (about.opens === "MATCH" || kind.startsWith("MATCH_")) {
    if (role === "admin") return program ? `${program}/matching` : inbox;
    if (role === "mentor") {
      if (PROPOSAL_KINDS.includes(kind)) return "/proposals";
      return about.menteeId && kind === "MATCH_ACCEPTED"
        ? `/mentees/${encodeURIComponent(about.menteeId)}`
        : "/dashboard";
    }
    return "/path";
  }
  if (kind === "PARTICIPANT_WITHDRAWN" && role === "admin" && program) return `${program}/roster`;
  if (about.opens && about.menteeId) {
    return role === "mentee"
      ? `/path${focus(about)}`
      : `/mentees/${encodeURIComponent(about.menteeId)}${focus(about)}`;
  }
  if (role === "admin" && program) return program;
  return inbox;
}

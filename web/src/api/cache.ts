import type {
  Cache,
  CacheExchangeOpts,
  OptimisticMutationConfig,
  UpdateResolver,
} from "@urql/exchange-graphcache";
import { graphql } from "../gql";
import schema from "../gql/introspection";

/** Types without an id of their own are kept inside their parent in the normalized cache. */
export const embedded = [
  "Me",
  "Inbox",
  "PageInfo",
  "MentorDashboard",
  "StatusCount",
  "FunnelStep",
  "ProgramHealth",
  "CriterionScore",
  "CriterionWeight",
  "MatchSide",
  "MatchSuggestion",
  "UnmatchedMentee",
  "ModuleProgress",
  "NotificationPreferences",
  "KindChannels",
  "QuietHours",
  "NotificationsMarked",
  "SessionRating",
  "FieldProblem",
  "ValidationError",
  "NotFound",
  "Forbidden",
  "Conflict",
  "SkillLevel",
  "WeeklySlot",
  "LearningPathSummary",
  "PathModule",
  "Milestone",
  "DashboardMenteeEdge",
  "DashboardMenteeConnection",
  "MatchEdge",
  "MatchConnection",
  "ProgramEdge",
  "ProgramConnection",
  "NotificationEdge",
  "NotificationConnection",
  "NotificationSubject",
  "Participation",
  "MilestoneProgress",
  "MilestoneHistoryEntry",
  "MilestoneProgressEdge",
  "MilestoneProgressConnection",
  "CheckInEdge",
  "CheckInConnection",
  "ConfidencePoint",
  "ConfidencePointEdge",
  "ConfidencePointConnection",
  "LoggedSessionEdge",
  "LoggedSessionConnection",
  "PlannedSessionEdge",
  "PlannedSessionConnection",
  "RosterEntry",
  "RosterEntryEdge",
  "RosterEntryConnection",
  "MentorLoad",
  "MentorLoadEdge",
  "MentorLoadConnection",
  "MentoredMentee",
  "MatchedPair",
  "MatchedPairEdge",
  "MatchedPairConnection",
  "BlockingPair",
  "BlockingPairEdge",
  "BlockingPairConnection",
  "MatchingRunEdge",
  "MatchingRunConnection",
  "ImportReport",
  "RefusedRow",
  "ProgramReport",
  "ReportFunnelStep",
  "TimeToMatch",
  "ReportWeek",
  "ReportModuleConfidence",
  "ReportMentorLoad",
  "CreatedScimToken",
  "AuditLog",
  "AuditRecordEdge",
  "DataExportPart",
  "DataExportCount",
  "DataErasureDone",
];

/** Types keyed by another field than ``id``. */
const keyedOtherwise: CacheExchangeOpts["keys"] = {
  MenteeProgress: (data) => String(data.menteeId),
  ProgressDetail: (data) => String(data.menteeId),
  DashboardMentee: (data) => String(data.menteeId),
  LearningPath: (data) => `${String(data.id)}@${String(data.version)}`,
};

/** A program's lists (roster, mentors' load, last run) are fetched again after a mutation that
 * changes them; the program is named by the mutation's argument or by ``programId`` in its
 * answer. */
function programLists(): UpdateResolver {
  return (result, args, cache, info) => {
    const answer = result[info.fieldName] as { programId?: unknown } | null | undefined;
    const id = typeof args.programId === "string" ? args.programId : answer?.programId;
    const programs =
      typeof id === "string"
        ? [{ __typename: "Program", id }]
        : cache
            .inspectFields("Query")
            .filter((f) => f.fieldName === "program")
            .map((f) => ({ __typename: "Program", id: String(f.arguments?.id) }));
    for (const program of programs) {
      for (const field of cache.inspectFields(program)) {
        if (["participants", "mentors", "lastMatchingRun"].includes(field.fieldName)) {
          cache.invalidate(program, field.fieldName, field.arguments ?? undefined);
        }
      }
    }
  };
}

/** A mentee's history in detail is fetched again after a planned session is confirmed held (it
 * is logged as a session): the mentee is named in the answer. */
function held(): UpdateResolver {
  return (result, _args, cache, info) => {
    const answer = result[info.fieldName] as { menteeId?: unknown } | null | undefined;
    if (typeof answer?.menteeId === "string") {
      cache.invalidate({ __typename: "ProgressDetail", menteeId: answer.menteeId });
    }
  };
}

/** A mentee's history in detail is fetched again after a mutation that adds to it. */
function detail(): UpdateResolver {
  return (_result, args, cache) => {
    if (typeof args.menteeId === "string") {
      cache.invalidate({ __typename: "ProgressDetail", menteeId: args.menteeId });
    }
  };
}

function all(...resolvers: UpdateResolver[]): UpdateResolver {
  return (...call) => {
    for (const resolver of resolvers) resolver(...call);
  };
}

/** Lists that a mutation changes are fetched again (every page and filter of them), rather than
 * patched by hand. */
function refetch(...fields: string[]): UpdateResolver {
  return (_result, _args, cache) => {
    for (const field of cache.inspectFields("Query")) {
      if (fields.includes(field.fieldName)) {
        cache.invalidate("Query", field.fieldName, field.arguments ?? undefined);
      }
    }
  };
}

/** Runs ``resolver`` for the server's answer only, not for the optimistic one: what it fetches
 * again would otherwise be fetched while the mutation is still on its way. */
function answered(resolver: UpdateResolver): UpdateResolver {
  return (...call) => {
    if (!call[3].optimistic) resolver(...call);
  };
}

/** The typename of a mutation's answer (a union of the result and the typed errors). */
function answerType(result: Record<string, unknown>, field: string): string | undefined {
  const answer = result[field] as { __typename?: unknown } | null | undefined;
  return typeof answer?.__typename === "string" ? answer.__typename : undefined;
}

// --- notifications marked read --------------------------------------------------------------

const NotificationReadAt = graphql(`
  fragment NotificationReadAt on Notification {
    id
    readAt
  }
`);

const InboxUnread = graphql(`
  query InboxUnread($unreadOnly: Boolean, $first: Int!, $after: String) {
    notifications(unreadOnly: $unreadOnly, first: $first, after: $after) {
      unread
    }
  }
`);

/** The unread count every cached inbox (the badge's and each inbox page's) shows. */
function unreadNow(cache: Cache): number | null {
  for (const field of cache.inspectFields("Query")) {
    if (field.fieldName !== "notifications") continue;
    const inbox = cache.resolve("Query", field.fieldKey);
    const unread = typeof inbox === "string" ? cache.resolve(inbox, "unread") : null;
    if (typeof unread === "number") return unread;
  }
  return null;
}

function setUnread(cache: Cache, unread: number) {
  for (const field of cache.inspectFields("Query")) {
    if (field.fieldName !== "notifications" || !field.arguments?.first) continue;
    cache.updateQuery(
      { query: InboxUnread, variables: field.arguments as { first: number } },
      (data) => (data?.notifications ? { notifications: { ...data.notifications, unread } } : null),
    );
  }
}

function unreadAmong(cache: Cache, ids: string[]): string[] {
  return ids.filter((id) => cache.resolve({ __typename: "Notification", id }, "readAt") === null);
}

/** Marking notifications read: at once, they are shown read and the unread count drops by the
 * unread ones among them; then the server's count is shown and the inbox is fetched again. */
const markRead = {
  optimistic: (args: { ids?: unknown }, cache: Cache) => {
    const ids = Array.isArray(args.ids) ? args.ids.map(String) : [];
    const marked = unreadAmong(cache, ids).length;
    const unread = unreadNow(cache);
    return {
      __typename: "NotificationsMarked",
      marked,
      ...(unread === null ? {} : { unread: Math.max(0, unread - marked) }),
    };
  },
  update: ((result, args, cache, info) => {
    const answer = result.markNotificationsRead as { unread?: unknown } | null;
    if (answerType(result, "markNotificationsRead") !== "NotificationsMarked") return;
    if (info.optimistic) {
      const ids = Array.isArray(args.ids) ? args.ids.map(String) : [];
      const now = new Date().toISOString();
      for (const id of unreadAmong(cache, ids)) {
        cache.writeFragment(NotificationReadAt, { __typename: "Notification", id, readAt: now });
      }
    }
    if (typeof answer?.unread === "number") setUnread(cache, answer.unread);
  }) satisfies UpdateResolver,
};

// --- answering a proposal --------------------------------------------------------------------

type Side = "MENTOR" | "MENTEE";

/** Which side of a cached match the signed-in person is, from their cached participations. */
function sideOf(cache: Cache, matchId: string): Side | null {
  const match = { __typename: "Match", id: matchId };
  const participantOf = (side: string) => {
    const link = cache.resolve(match, side);
    return typeof link === "string" ? cache.resolve(link, "participantId") : null;
  };
  const me = cache.resolve("Query", "me");
  const participations = typeof me === "string" ? cache.resolve(me, "participations") : null;
  const mine = new Set(
    (Array.isArray(participations) ? participations : []).map((p) =>
      typeof p === "string" ? cache.resolve(p, "participantId") : null,
    ),
  );
  const mentee = participantOf("mentee");
  const mentor = participantOf("mentor");
  if (mentee !== null && mine.has(mentee)) return "MENTEE";
  if (mentor !== null && mine.has(mentor)) return "MENTOR";
  return null;
}

/** Answering a proposal shows at once: the mentor's acceptance starts the match unless the
 * mentee must accept too and has not; a mentee's own acceptance or decline is shown on their
 * side only (the match's state follows from the server's answer, fetched again). */
const answerProposal: OptimisticMutationConfig = {
  acceptMatch: (args, cache) => {
    const id = String(args.matchId);
    const match = { __typename: "Match", id };
    const now = new Date().toISOString();
    const side = sideOf(cache, id);
    if (side === "MENTEE") return { ...match, menteeAcceptedAt: now };
    if (side !== "MENTOR") return match;
    const waits =
      cache.resolve(match, "menteeMustAccept") === true &&
      !cache.resolve(match, "menteeAcceptedAt");
    return { ...match, mentorAcceptedAt: now, status: waits ? "PROPOSED" : "ACTIVE" };
  },
  declineMatch: (args, cache) => {
    const id = String(args.matchId);
    const side = sideOf(cache, id);
    if (side === "MENTEE") return { __typename: "Match", id, declinedBy: "MENTEE" };
    if (side !== "MENTOR") return { __typename: "Match", id };
    return { __typename: "Match", id, status: "DECLINED", declinedBy: "MENTOR" };
  },
};

// --- a check-in recorded ---------------------------------------------------------------------

const FirstCheckIns = graphql(`
  query FirstCheckIns($menteeId: ID!, $first: Int!, $moduleId: ID) {
    menteeProgressDetail(menteeId: $menteeId) {
      menteeId
      checkIns(first: $first, moduleId: $moduleId) {
        nodes {
          id
          moduleId
          confidence
          assessedBy
          note
          recordedAt
        }
      }
    }
  }
`);

let pendingCheckIns = 0;

/** A check-in the mentee records is at once at the top of the first page of their check-ins
 * (of all modules, or of its module); the list is fetched again with the server's answer. */
const checkIn = {
  optimistic: (args: { menteeId?: unknown }) => ({
    __typename: "MenteeProgress",
    menteeId: String(args.menteeId),
  }),
  update: ((result, args, cache, info) => {
    if (!info.optimistic || answerType(result, "recordCheckIn") !== "MenteeProgress") return;
    const menteeId = String(args.menteeId);
    const moduleId = String(args.moduleId);
    pendingCheckIns += 1;
    const entry = {
      __typename: "CheckIn" as const,
      id: `pending-check-in-${pendingCheckIns}`,
      moduleId,
      confidence: Number(args.confidence),
      assessedBy: "MENTEE" as const,
      note: typeof args.note === "string" ? args.note : null,
      recordedAt: new Date().toISOString(),
    };
    const detailKey = cache.keyOfEntity({ __typename: "ProgressDetail", menteeId });
    if (!detailKey) return;
    for (const field of cache.inspectFields(detailKey)) {
      const listArgs = field.arguments ?? {};
      if (field.fieldName !== "checkIns" || listArgs.after || typeof listArgs.first !== "number") {
        continue;
      }
      if (listArgs.moduleId && listArgs.moduleId !== moduleId) continue;
      const first = listArgs.first;
      cache.updateQuery(
        {
          query: FirstCheckIns,
          variables: {
            menteeId,
            first,
            moduleId: typeof listArgs.moduleId === "string" ? listArgs.moduleId : undefined,
          },
        },
        (data) => {
          const list = data?.menteeProgressDetail?.checkIns;
          if (!data?.menteeProgressDetail || !list) return null;
          const nodes = [entry, ...list.nodes].slice(0, first);
          return {
            menteeProgressDetail: {
              ...data.menteeProgressDetail,
              checkIns: { ...list, nodes },
            },
          };
        },
      );
    }
  }) satisfies UpdateResolver,
};

// --- a milestone marked done -----------------------------------------------------------------

const MilestonesDone = graphql(`
  query MilestonesDone($menteeId: ID!, $first: Int!) {
    menteeProgressDetail(menteeId: $menteeId) {
      menteeId
      milestones(first: $first) {
        nodes {
          milestoneId
          moduleId
          done
          completedAt
          completedBy
          evidence
        }
      }
    }
  }
`);

const ProgressFigures = graphql(`
  fragment ProgressFigures on MenteeProgress {
    menteeId
    milestonesDone
    milestonesTotal
    percent
    modules {
      moduleId
      milestonesDone
      milestonesTotal
      percent
      completed
    }
  }
`);

function percent(done: number, total: number): number {
  return total ? Math.floor((done * 100) / total) : 0;
}

/** Each cached first page of a mentee's milestones, with its ``first``. */
function milestoneLists(cache: Cache, menteeId: string): number[] {
  const detailKey = cache.keyOfEntity({ __typename: "ProgressDetail", menteeId });
  if (!detailKey) return [];
  return cache
    .inspectFields(detailKey)
    .filter((f) => f.fieldName === "milestones" && !f.arguments?.after)
    .map((f) => Number(f.arguments?.first))
    .filter((first) => first > 0);
}

/** Where a milestone is in a mentee's cached milestones: its module and whether it is done. */
function cachedMilestone(cache: Cache, menteeId: string, milestoneId: string) {
  for (const first of milestoneLists(cache, menteeId)) {
    const data = cache.readQuery({ query: MilestonesDone, variables: { menteeId, first } });
    const found = data?.menteeProgressDetail?.milestones?.nodes.find(
      (m) => m.milestoneId === milestoneId,
    );
    if (found) return found;
  }
  return null;
}

/** A milestone the mentee marks done counts at once in their progress (the path's and its
 * module's figures, computed like the server: rounded down) and is shown done, with its
 * evidence, in their milestones; the server's answer replaces the figures and the history is
 * fetched again. A milestone not in the cache, or done already, changes no figure. */
const milestoneDone = {
  optimistic: (args: { menteeId?: unknown; milestoneId?: unknown }, cache: Cache) => {
    const menteeId = String(args.menteeId);
    const progress = { __typename: "MenteeProgress", menteeId };
    const milestone = cachedMilestone(cache, menteeId, String(args.milestoneId));
    const figures = cache.readFragment(ProgressFigures, progress);
    if (!milestone || milestone.done || !figures) return progress;
    const done = figures.milestonesDone + 1;
    return {
      ...progress,
      milestonesDone: done,
      percent: percent(done, figures.milestonesTotal),
      modules: figures.modules.map((m) => {
        if (m.moduleId !== milestone.moduleId) return { __typename: "ModuleProgress", ...m };
        const moduleDone = m.milestonesDone + 1;
        return {
          __typename: "ModuleProgress",
          ...m,
          milestonesDone: moduleDone,
          percent: percent(moduleDone, m.milestonesTotal),
          completed: moduleDone >= m.milestonesTotal,
        };
      }),
    };
  },
  update: ((result, args, cache, info) => {
    if (!info.optimistic || answerType(result, "completeMilestone") !== "MenteeProgress") return;
    const menteeId = String(args.menteeId);
    const now = new Date().toISOString();
    for (const first of milestoneLists(cache, menteeId)) {
      cache.updateQuery({ query: MilestonesDone, variables: { menteeId, first } }, (data) => {
        const list = data?.menteeProgressDetail?.milestones;
        if (!data?.menteeProgressDetail || !list) return null;
        const nodes = list.nodes.map((m) =>
          m.milestoneId === args.milestoneId && !m.done
            ? {
                ...m,
                done: true,
                completedAt: now,
                completedBy: "MENTEE" as const,
                evidence: typeof args.evidence === "string" ? args.evidence : null,
              }
            : m,
        );
        return {
          menteeProgressDetail: { ...data.menteeProgressDetail, milestones: { ...list, nodes } },
        };
      });
    }
  }) satisfies UpdateResolver,
};

/** Graphcache's configuration: the schema (so that a fragment on a union or an interface is
 * read from its own type only), the keys, the lists a mutation makes stale, and the mutations
 * shown before the server answers (a failure drops them: the cache is as it was). */
export function cacheOptions(): CacheExchangeOpts {
  return {
    schema,
    keys: {
      ...Object.fromEntries(embedded.map((name) => [name, () => null])),
      ...keyedOtherwise,
    },
    updates: {
      Mutation: {
        createProgram: refetch("programs"),
        updateProgram: refetch("programs"),
        runMatching: all(refetch("matches", "programHealth", "matchingRuns"), programLists()),
        previewMatching: refetch("matchingRuns"),
        cancelProposal: all(refetch("matches", "matchingRuns"), programLists()),
        withdrawParticipant: all(refetch("matches", "me"), programLists()),
        importParticipants: programLists(),
        acceptMatch: answered(refetch("matches", "myMentees", "me")),
        declineMatch: answered(refetch("matches", "me")),
        requestMentor: refetch("matches", "me"),
        recordCheckIn: all(checkIn.update, answered(detail())),
        completeMilestone: all(milestoneDone.update, answered(detail())),
        logSession: all(refetch("myMentees"), detail()),
        planSession: refetch("plannedSessions"),
        reschedulePlannedSession: refetch("plannedSessions"),
        confirmPlannedSession: all(refetch("myMentees"), held()),
        markNotificationsRead: all(markRead.update, answered(refetch("notifications"))),
        updateNotificationPreferences: refetch("notificationPreferences"),
      },
      Subscription: { notifications: refetch("notifications", "myMentees") },
    },
    optimistic: {
      markNotificationsRead: markRead.optimistic,
      ...answerProposal,
      recordCheckIn: checkIn.optimistic,
      completeMilestone: milestoneDone.optimistic,
    },
  };
}

import { cacheExchange, type UpdateResolver } from "@urql/exchange-graphcache";
import { createClient as createWsClient, type Client as WsClient } from "graphql-ws";
import { Client, fetchExchange, subscriptionExchange } from "urql";

/** Types without an id of their own are kept inside their parent in the normalized cache. */
const embedded = [
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
];

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

/** The client for the signed-in user; ``token`` gives the access token at each request (it may
 * have been renewed since the client was made). */
export function createClient(token: () => string): { client: Client; dispose: () => void } {
  const wsUrl = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/graphql`;
  const ws: WsClient = createWsClient({
    url: wsUrl,
    lazy: true,
    // the live inbox reconnects while the gateway restarts or the network drops (waiting longer
    // each time), but not once the gateway refused the token (4403): the queries say so
    retryAttempts: Infinity,
    shouldRetry: (event) =>
      typeof event === "object" && event !== null && "code" in event && event.code !== 4403,
    connectionParams: () => ({ Authorization: `Bearer ${token()}` }),
  });
  const client = new Client({
    url: "/graphql",
    fetchOptions: () => ({ headers: { Authorization: `Bearer ${token()}` } }),
    requestPolicy: "cache-and-network",
    exchanges: [
      cacheExchange({
        keys: {
          ...Object.fromEntries(embedded.map((name) => [name, () => null])),
          MenteeProgress: (data) => String(data.menteeId),
          ProgressDetail: (data) => String(data.menteeId),
          DashboardMentee: (data) => String(data.menteeId),
          LearningPath: (data) => `${String(data.id)}@${String(data.version)}`,
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
            acceptMatch: refetch("matches", "myMentees", "me"),
            declineMatch: refetch("matches", "me"),
            requestMentor: refetch("matches", "me"),
            recordCheckIn: detail(),
            completeMilestone: detail(),
            logSession: all(refetch("myMentees"), detail()),
            planSession: refetch("plannedSessions"),
            confirmPlannedSession: all(refetch("myMentees"), held()),
            markNotificationsRead: refetch("notifications"),
            updateNotificationPreferences: refetch("notificationPreferences"),
          },
          Subscription: { notifications: refetch("notifications", "myMentees") },
        },
      }),
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query ?? "" };
          return {
            subscribe(sink) {
              const unsubscribe = ws.subscribe(input, sink);
              return { unsubscribe };
            },
          };
        },
      }),
    ],
  });
  return { client, dispose: () => void ws.dispose() };
}

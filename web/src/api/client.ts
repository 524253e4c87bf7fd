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
  "MatchingRun",
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
];

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

export function createClient(token: string): { client: Client; dispose: () => void } {
  const wsUrl = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/graphql`;
  const ws: WsClient = createWsClient({
    url: wsUrl,
    lazy: true,
    // the live inbox reconnects while the gateway restarts or the network drops (waiting longer
    // each time), but not once the gateway refused the token (4403): the queries say so
    retryAttempts: Infinity,
    shouldRetry: (event) =>
      typeof event === "object" && event !== null && "code" in event && event.code !== 4403,
    connectionParams: () => ({ Authorization: `Bearer ${token}` }),
  });
  const client = new Client({
    url: "/graphql",
    fetchOptions: () => ({ headers: { Authorization: `Bearer ${token}` } }),
    requestPolicy: "cache-and-network",
    exchanges: [
      cacheExchange({
        keys: {
          ...Object.fromEntries(embedded.map((name) => [name, () => null])),
          MenteeProgress: (data) => String(data.menteeId),
          DashboardMentee: (data) => String(data.menteeId),
          LearningPath: (data) => `${String(data.id)}@${String(data.version)}`,
        },
        updates: {
          Mutation: {
            createProgram: refetch("programs"),
            runMatching: refetch("matches", "programHealth"),
            acceptMatch: refetch("matches", "myMentees"),
            declineMatch: refetch("matches"),
            requestMentor: refetch("matches"),
            logSession: refetch("myMentees"),
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

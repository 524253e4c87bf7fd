import { cacheExchange } from "@urql/exchange-graphcache";
import type { DocumentNode, IntrospectionObjectType } from "graphql";
import {
  Client,
  gql,
  makeErrorResult,
  makeResult,
  type AnyVariables,
  type DocumentInput,
  type Exchange,
  type Operation,
  type OperationResult,
} from "urql";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { filter, makeSubject, map, merge, onPush, pipe, share, subscribe } from "wonka";
import schema from "../gql/introspection";
import { cacheOptions } from "./cache";

type Data = Record<string, unknown>;

/** A GraphQL server in the test's hands: queries are answered at once from ``answers`` (by
 * operation name), mutations wait until the test answers or fails them. */
function fakeServer(answers: Record<string, (variables: AnyVariables) => Data>) {
  const waiting: Operation[] = [];
  const asked: string[] = [];
  const later = makeSubject<OperationResult>();
  const nameOf = (op: Operation) => {
    const definition = (op.query as DocumentNode).definitions[0];
    return definition && "name" in definition ? (definition.name?.value ?? "") : "";
  };
  const exchange: Exchange = () => (operations$) => {
    const shared = pipe(operations$, share);
    return merge([
      pipe(
        shared,
        filter((op) => op.kind === "query"),
        onPush((op) => asked.push(nameOf(op))),
        map((op) => makeResult(op, { data: answers[nameOf(op)]!(op.variables) })),
      ),
      pipe(
        shared,
        filter((op) => op.kind === "mutation"),
        onPush((op) => waiting.push(op)),
        filter(() => false),
        map((op) => makeResult(op, {})),
      ),
      later.source,
    ]);
  };
  return {
    exchange,
    asked,
    answer(data: Data) {
      later.next(makeResult(waiting.shift()!, { data }));
    },
    fail() {
      later.next(makeErrorResult(waiting.shift()!, new Error("Failed to fetch")));
    },
  };
}

function clientOf(server: ReturnType<typeof fakeServer>): Client {
  return new Client({
    url: "/graphql",
    exchanges: [cacheExchange(cacheOptions()), server.exchange],
  });
}

/** What a page showing ``query`` sees now: the latest result of a watching subscription. */
function watch<D = Data>(client: Client, query: DocumentInput, variables: AnyVariables = {}) {
  const seen: { data: D | undefined } = { data: undefined };
  pipe(
    client.query(query, variables),
    subscribe((result) => {
      seen.data = result.data as D;
    }),
  );
  return seen;
}

const settled = () => new Promise((resolve) => setTimeout(resolve, 0));

let warnings: unknown[][];
beforeEach(() => {
  warnings = [];
  vi.spyOn(console, "warn").mockImplementation((...args: unknown[]) => void warnings.push(args));
});
afterEach(() => {
  // Graphcache warns about keyless types without a key, fields not in the schema, malformed
  // optimistic answers: none of that may happen
  expect(warnings).toEqual([]);
  vi.restoreAllMocks();
});

describe("the cache's keys", () => {
  const objects = schema.__schema.types.filter(
    (t): t is IntrospectionObjectType => t.kind === "OBJECT" && !t.name.startsWith("__"),
  );
  const roots = ["Query", "Mutation", "Subscription"];
  const keys = cacheOptions().keys ?? {};

  it("say how to key, or to embed, every object type without an id", () => {
    const keyless = objects
      .filter((t) => !roots.includes(t.name) && !t.fields.some((f) => f.name === "id"))
      .map((t) => t.name);
    expect(keyless.length).toBeGreaterThan(40);
    expect(keyless.filter((name) => !(name in keys))).toEqual([]);
  });

  it("name only object types of the schema", () => {
    const names = new Set(objects.map((t) => t.name));
    expect(Object.keys(keys).filter((name) => !names.has(name))).toEqual([]);
  });
});

describe("with the schema", () => {
  it("reads a fragment on an interface from its own type only", async () => {
    const server = fakeServer({
      Roster: () => ({
        mentee: {
          __typename: "Participant",
          id: "pt_1",
          displayName: "Ada",
          status: "ACTIVE",
        },
      }),
      Names: () => ({
        nodes: [{ __typename: "Participant", id: "pt_1", displayName: "Ada" }],
      }),
    });
    const client = clientOf(server);
    await client
      .query(
        gql`
          query Roster {
            mentee(id: "pt_1") {
              id
              displayName
              status
            }
          }
        `,
        {},
      )
      .toPromise();
    const names = await client
      .query(
        gql`
          query Names {
            nodes(ids: ["pt_1"]) {
              id
              ... on Participant {
                displayName
              }
              ... on Match {
                status
              }
            }
          }
        `,
        {},
      )
      .toPromise();
    // a Participant has a status too, but the fragment on Match is not filled from it
    expect(names.data?.nodes).toHaveLength(1);
    expect(names.data?.nodes[0]).toMatchObject({ id: "pt_1", displayName: "Ada" });
    expect(names.data?.nodes[0]).not.toHaveProperty("status");
  });
});

const Inbox = gql`
  query Inbox {
    notifications(first: 20) {
      unread
      notifications {
        nodes {
          id
          title
          readAt
        }
      }
    }
  }
`;

const Badge = gql`
  query Badge {
    notifications(unreadOnly: true, first: 1) {
      unread
    }
  }
`;

const MarkRead = gql`
  mutation MarkRead($ids: [ID!]!) {
    markNotificationsRead(ids: $ids) {
      __typename
      ... on NotificationsMarked {
        marked
        unread
      }
      ... on MutationError {
        message
      }
    }
  }
`;

describe("marking a notification read", () => {
  const notification = (id: string) => ({
    __typename: "Notification",
    id,
    title: `About ${id}`,
    readAt: null,
  });
  const inboxServer = () =>
    fakeServer({
      Inbox: () => ({
        notifications: {
          __typename: "Inbox",
          unread: 2,
          notifications: {
            __typename: "NotificationConnection",
            nodes: [notification("n1"), notification("n2")],
          },
        },
      }),
      Badge: () => ({ notifications: { __typename: "Inbox", unread: 2 } }),
    });
  type InboxData = {
    notifications: { unread: number; notifications: { nodes: { id: string; readAt: string }[] } };
  };
  type BadgeData = { notifications: { unread: number } };

  it("shows it read and lowers the badge before the server answers", async () => {
    const server = inboxServer();
    const client = clientOf(server);
    const inbox = watch<InboxData>(client, Inbox);
    const badge = watch<BadgeData>(client, Badge);
    await settled();
    expect(badge.data?.notifications.unread).toBe(2);

    const marking = client.mutation(MarkRead, { ids: ["n1", "unknown"] }).toPromise();
    await settled();

    expect(badge.data?.notifications.unread).toBe(1);
    expect(inbox.data?.notifications.unread).toBe(1);
    const [first, second] = inbox.data?.notifications.notifications.nodes ?? [];
    expect(first?.readAt).toEqual(expect.any(String));
    expect(second?.readAt).toBeNull();

    server.answer({
      markNotificationsRead: { __typename: "NotificationsMarked", marked: 1, unread: 1 },
    });
    await marking;
    await settled();
    // the inbox is fetched again, as the server has it
    expect(server.asked.filter((name) => name === "Inbox").length).toBeGreaterThan(1);
  });

  it("puts them back as they were when the request fails", async () => {
    const server = inboxServer();
    const client = clientOf(server);
    const inbox = watch<InboxData>(client, Inbox);
    const badge = watch<BadgeData>(client, Badge);
    await settled();

    const marking = client.mutation(MarkRead, { ids: ["n1"] }).toPromise();
    await settled();
    expect(badge.data?.notifications.unread).toBe(1);
    server.fail();
    const result = await marking;
    await settled();

    expect(result.error?.networkError?.message).toBe("Failed to fetch");
    expect(badge.data?.notifications.unread).toBe(2);
    expect(inbox.data?.notifications.unread).toBe(2);
    expect(inbox.data?.notifications.notifications.nodes.map((n) => n.readAt)).toEqual([
      null,
      null,
    ]);
  });

  it("puts them back when the server answers a typed error", async () => {
    const server = inboxServer();
    const client = clientOf(server);
    const badge = watch<BadgeData>(client, Badge);
    await settled();

    const marking = client.mutation(MarkRead, { ids: ["n1"] }).toPromise();
    await settled();
    server.answer({ markNotificationsRead: { __typename: "Forbidden", message: "not yours" } });
    await marking;
    await settled();

    expect(badge.data?.notifications.unread).toBe(2);
  });
});

const Me = gql`
  query Me {
    me {
      userId
      participations {
        participantId
      }
    }
  }
`;

const Proposals = gql`
  query Proposals {
    matches(status: PROPOSED, first: 50) {
      nodes {
        id
        status
        menteeMustAccept
        mentorAcceptedAt
        menteeAcceptedAt
        declinedBy
        mentee {
          participantId
        }
        mentor {
          participantId
        }
      }
    }
  }
`;

const Accept = gql`
  mutation Accept($id: ID!) {
    acceptMatch(matchId: $id) {
      __typename
      ... on Match {
        id
        status
        mentorAcceptedAt
        menteeAcceptedAt
      }
      ... on MutationError {
        message
      }
    }
  }
`;

const Decline = gql`
  mutation Decline($id: ID!) {
    declineMatch(matchId: $id) {
      __typename
      ... on Match {
        id
        status
        declinedBy
      }
      ... on MutationError {
        message
      }
    }
  }
`;

describe("answering a proposal", () => {
  type Proposal = {
    status: string;
    mentorAcceptedAt: string | null;
    menteeAcceptedAt: string | null;
    declinedBy: string | null;
  };
  type ProposalsData = { matches: { nodes: Proposal[] } };
  const serverFor = (me: string, menteeMustAccept: boolean) =>
    fakeServer({
      Me: () => ({
        me: {
          __typename: "Me",
          userId: "u1",
          participations: [{ __typename: "Participation", participantId: me }],
        },
      }),
      Proposals: () => ({
        matches: {
          __typename: "MatchConnection",
          nodes: [
            {
              __typename: "Match",
              id: "m1",
              status: "PROPOSED",
              menteeMustAccept,
              mentorAcceptedAt: null,
              menteeAcceptedAt: null,
              declinedBy: null,
              mentee: { __typename: "MatchSide", participantId: "pt_mentee" },
              mentor: { __typename: "MatchSide", participantId: "pt_mentor" },
            },
          ],
        },
      }),
    });

  async function answering(me: string, menteeMustAccept: boolean) {
    const server = serverFor(me, menteeMustAccept);
    const client = clientOf(server);
    watch(client, Me);
    const proposals = watch<ProposalsData>(client, Proposals);
    await settled();
    return { server, client, shown: () => proposals.data?.matches.nodes[0] };
  }

  it("starts the match at once when the mentor accepts and the mentee need not", async () => {
    const { server, client, shown } = await answering("pt_mentor", false);
    const accepting = client.mutation(Accept, { id: "m1" }).toPromise();
    await settled();

    expect(shown()).toMatchObject({ status: "ACTIVE", mentorAcceptedAt: expect.any(String) });
    server.fail();
    await accepting;
    await settled();
    expect(shown()).toMatchObject({ status: "PROPOSED", mentorAcceptedAt: null });
  });

  it("keeps the proposal waiting for the mentee when they must accept too", async () => {
    const { client, shown } = await answering("pt_mentor", true);
    void client.mutation(Accept, { id: "m1" }).toPromise();
    await settled();
    expect(shown()).toMatchObject({ status: "PROPOSED", mentorAcceptedAt: expect.any(String) });
  });

  it("shows the mentee's own acceptance and decline on their side only", async () => {
    const { server, client, shown } = await answering("pt_mentee", true);
    void client.mutation(Accept, { id: "m1" }).toPromise();
    await settled();
    expect(shown()).toMatchObject({
      status: "PROPOSED",
      menteeAcceptedAt: expect.any(String),
      mentorAcceptedAt: null,
    });
    server.fail();
    await settled();
    expect(shown()).toMatchObject({ menteeAcceptedAt: null });

    void client.mutation(Decline, { id: "m1" }).toPromise();
    await settled();
    expect(shown()).toMatchObject({ status: "PROPOSED", declinedBy: "MENTEE" });
  });

  it("declines at once for the mentor", async () => {
    const { server, client, shown } = await answering("pt_mentor", false);
    const declining = client.mutation(Decline, { id: "m1" }).toPromise();
    await settled();
    expect(shown()).toMatchObject({ status: "DECLINED", declinedBy: "MENTOR" });
    server.answer({ declineMatch: { __typename: "Conflict", message: "already answered" } });
    await declining;
    await settled();
    expect(shown()).toMatchObject({ status: "PROPOSED", declinedBy: null });
  });
});

const CheckIns = gql`
  query CheckIns($menteeId: ID!, $after: String) {
    menteeProgressDetail(menteeId: $menteeId) {
      menteeId
      checkIns(first: 10, after: $after) {
        pageInfo {
          hasNextPage
          endCursor
        }
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
`;

const CheckIn = gql`
  mutation CheckIn($menteeId: ID!, $moduleId: ID!, $confidence: Int!, $note: String) {
    recordCheckIn(menteeId: $menteeId, moduleId: $moduleId, confidence: $confidence, note: $note) {
      __typename
      ... on MenteeProgress {
        menteeId
        confidenceTrend
      }
      ... on MutationError {
        message
      }
    }
  }
`;

describe("recording a check-in", () => {
  type CheckInsData = {
    menteeProgressDetail: {
      checkIns: { nodes: { id: string; confidence: number; note: string | null }[] };
    };
  };

  it("lists it first at once, and takes it out again when the request fails", async () => {
    const server = fakeServer({
      CheckIns: () => ({
        menteeProgressDetail: {
          __typename: "ProgressDetail",
          menteeId: "pt_1",
          checkIns: {
            __typename: "CheckInConnection",
            pageInfo: { __typename: "PageInfo", hasNextPage: false, endCursor: null },
            nodes: [
              {
                __typename: "CheckIn",
                id: "ci_1",
                moduleId: "mod-1",
                confidence: 4,
                assessedBy: "MENTEE",
                note: null,
                recordedAt: "2026-12-01T09:00:00Z",
              },
            ],
          },
        },
      }),
    });
    const client = clientOf(server);
    const list = watch<CheckInsData>(client, CheckIns, { menteeId: "pt_1", after: null });
    await settled();

    const recording = client
      .mutation(CheckIn, { menteeId: "pt_1", moduleId: "mod-2", confidence: 2, note: "Lost" })
      .toPromise();
    await settled();
    const shown = () => list.data?.menteeProgressDetail.checkIns.nodes ?? [];
    expect(shown().map((c) => [c.confidence, c.note])).toEqual([
      [2, "Lost"],
      [4, null],
    ]);

    server.fail();
    await recording;
    await settled();
    expect(shown().map((c) => c.id)).toEqual(["ci_1"]);
  });
});

const Figures = gql`
  query Figures($menteeId: ID!) {
    menteeProgress(menteeId: $menteeId) {
      menteeId
      percent
      milestonesDone
      milestonesTotal
      modules {
        moduleId
        milestonesDone
        milestonesTotal
        percent
        completed
      }
    }
  }
`;

const Milestones = gql`
  query Milestones($menteeId: ID!) {
    menteeProgressDetail(menteeId: $menteeId) {
      menteeId
      milestones(first: 100) {
        nodes {
          milestoneId
          moduleId
          title
          done
          completedAt
          completedBy
          evidence
        }
      }
    }
  }
`;

const Complete = gql`
  mutation Complete($menteeId: ID!, $milestoneId: ID!, $evidence: String) {
    completeMilestone(menteeId: $menteeId, milestoneId: $milestoneId, evidence: $evidence) {
      __typename
      ... on MenteeProgress {
        menteeId
        percent
        milestonesDone
        modules {
          moduleId
          milestonesDone
          percent
          completed
        }
      }
      ... on MutationError {
        message
      }
    }
  }
`;

describe("marking a milestone done", () => {
  type FiguresData = {
    menteeProgress: {
      percent: number;
      milestonesDone: number;
      modules: { moduleId: string; milestonesDone: number; percent: number; completed: boolean }[];
    };
  };
  type MilestonesData = {
    menteeProgressDetail: {
      milestones: { nodes: { milestoneId: string; done: boolean; evidence: string | null }[] };
    };
  };
  const milestone = (id: string, moduleId: string, done: boolean) => ({
    __typename: "MilestoneProgress",
    milestoneId: id,
    moduleId,
    title: id,
    done,
    completedAt: done ? "2026-11-30T10:00:00Z" : null,
    completedBy: done ? "MENTEE" : null,
    evidence: null,
  });
  const server = () =>
    fakeServer({
      Figures: () => ({
        menteeProgress: {
          __typename: "MenteeProgress",
          menteeId: "pt_1",
          percent: 33,
          milestonesDone: 1,
          milestonesTotal: 3,
          modules: [
            {
              __typename: "ModuleProgress",
              moduleId: "mod-1",
              milestonesDone: 1,
              milestonesTotal: 2,
              percent: 50,
              completed: false,
            },
            {
              __typename: "ModuleProgress",
              moduleId: "mod-2",
              milestonesDone: 0,
              milestonesTotal: 1,
              percent: 0,
              completed: false,
            },
          ],
        },
      }),
      Milestones: () => ({
        menteeProgressDetail: {
          __typename: "ProgressDetail",
          menteeId: "pt_1",
          milestones: {
            __typename: "MilestoneProgressConnection",
            nodes: [
              milestone("ms-1", "mod-1", true),
              milestone("ms-2", "mod-1", false),
              milestone("ms-3", "mod-2", false),
            ],
          },
        },
      }),
    });

  it("counts it in the path and its module, shows it done, and undoes that on failure", async () => {
    const fake = server();
    const client = clientOf(fake);
    const figures = watch<FiguresData>(client, Figures, { menteeId: "pt_1" });
    const list = watch<MilestonesData>(client, Milestones, { menteeId: "pt_1" });
    await settled();

    const completing = client
      .mutation(Complete, { menteeId: "pt_1", milestoneId: "ms-2", evidence: "My PR" })
      .toPromise();
    await settled();
    expect(figures.data?.menteeProgress).toMatchObject({ percent: 66, milestonesDone: 2 });
    expect(figures.data?.menteeProgress.modules[0]).toMatchObject({
      milestonesDone: 2,
      percent: 100,
      completed: true,
    });
    expect(figures.data?.menteeProgress.modules[1]).toMatchObject({ milestonesDone: 0 });
    expect(list.data?.menteeProgressDetail.milestones.nodes[1]).toMatchObject({
      done: true,
      evidence: "My PR",
    });

    fake.fail();
    await completing;
    await settled();
    expect(figures.data?.menteeProgress).toMatchObject({ percent: 33, milestonesDone: 1 });
    expect(list.data?.menteeProgressDetail.milestones.nodes[1]).toMatchObject({ done: false });
  });

  it("changes no figure for a milestone done already", async () => {
    const fake = server();
    const client = clientOf(fake);
    const figures = watch<FiguresData>(client, Figures, { menteeId: "pt_1" });
    watch(client, Milestones, { menteeId: "pt_1" });
    await settled();

    void client.mutation(Complete, { menteeId: "pt_1", milestoneId: "ms-1" }).toPromise();
    await settled();
    expect(figures.data?.menteeProgress).toMatchObject({ percent: 33, milestonesDone: 1 });
  });
});

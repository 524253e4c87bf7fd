import { useQuery } from "urql";
import { useSignedIn } from "../auth/session";
import { graphql } from "../gql";

const MyMatches = graphql(`
  query MyMatches {
    matches(first: 50) {
      nodes {
        id
        status
        programId
        score
        reasons
        proposedAt
        mentee {
          participantId
          userId
          name
        }
        mentor {
          participantId
          userId
          name
        }
      }
    }
  }
`);

const RANK: Record<string, number> = { ACTIVE: 0, PROPOSED: 1 };

/** The signed-in mentee's participation, found through their matches (the API names a
 * mentee's participant id on their matches): the active match first, else the latest. */
export function useMyMatch() {
  const session = useSignedIn();
  const [result] = useQuery({ query: MyMatches });
  const mine = (result.data?.matches?.nodes ?? []).filter(
    (m) => m.mentee.userId === session.userId,
  );
  mine.sort(
    (a, b) =>
      (RANK[a.status] ?? 2) - (RANK[b.status] ?? 2) || b.proposedAt.localeCompare(a.proposedAt),
  );
  return { match: mine[0] ?? null, result };
}

import { useCallback, useEffect, useMemo } from "react";
import { useMutation, useQuery } from "urql";
import { useSignedIn } from "../auth/session";
import { graphql } from "../gql";
import { savedLanguage, setLanguage, type Language } from "../i18n";

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

const MyProfiles = graphql(`
  query MyProfiles {
    matches(first: 50) {
      nodes {
        id
        mentee {
          userId
          profile {
            id
            language
          }
        }
        mentor {
          userId
          profile {
            id
            language
          }
        }
      }
    }
  }
`);

const UpdateLanguage = graphql(`
  mutation UpdateLanguage($id: ID!, $language: Language!) {
    updateProfile(participantId: $id, input: { language: $language }) {
      __typename
      ... on Participant {
        id
        language
      }
      ... on MutationError {
        message
      }
    }
  }
`);

/** The language of the signed-in person's profile (their participations, found through their
 * matches): the app starts in it unless a language was chosen in this browser, and choosing a
 * language here also sets it on each participation, so that notifications follow. */
export function useProfileLanguage(): (language: Language) => void {
  const session = useSignedIn();
  const [result] = useQuery({ query: MyProfiles });
  const [, update] = useMutation(UpdateLanguage);
  const profiles = useMemo(() => {
    const found = new Map<string, string>();
    for (const match of result.data?.matches?.nodes ?? []) {
      for (const side of [match.mentee, match.mentor]) {
        if (side.userId === session.userId && side.profile) {
          found.set(side.profile.id, side.profile.language);
        }
      }
    }
    return found;
  }, [result.data, session.userId]);
  const first = profiles.values().next().value;

  useEffect(() => {
    if (first && !savedLanguage()) setLanguage(first === "FR" ? "fr" : "en", { save: false });
  }, [first]);

  return useCallback(
    (language: Language) => {
      setLanguage(language);
      const wanted = language === "fr" ? "FR" : "EN";
      for (const [id, current] of profiles) {
        if (current !== wanted) void update({ id, language: wanted });
      }
    },
    [profiles, update],
  );
}

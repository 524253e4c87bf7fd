import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useState,
  type ReactNode,
} from "react";
import { useMutation, useQuery, type UseQueryState } from "urql";
import { useSignedIn, type Role } from "../auth/session";
import { graphql } from "../gql";
import type { MyParticipationsQuery } from "../gql/graphql";
import { savedLanguage, setLanguage, type Language } from "../i18n";

const MyParticipations = graphql(`
  query MyParticipations {
    me {
      userId
      participations {
        participantId
        roles
        status
        participant {
          id
          displayName
          language
        }
        program {
          id
          name
          status
          mutualAcceptance
        }
      }
    }
  }
`);

export type Participation = NonNullable<MyParticipationsQuery["me"]["participations"]>[number];

const ROLE: Partial<Record<Role, "MENTOR" | "MENTEE">> = { mentor: "MENTOR", mentee: "MENTEE" };

interface Choice {
  /** The signed-in person's participations in the role they signed in with. */
  mine: Participation[];
  /** The one the pages show: the one chosen in this browser, else the first still taking part. */
  chosen: Participation | null;
  choose: (participantId: string) => void;
  result: UseQueryState<MyParticipationsQuery>;
}

const ChoiceContext = createContext<Choice | null>(null);

function storageKey(userId: string): string {
  return `mentorship.participation.${userId}`;
}

/** Finds the signed-in person's participations (``me.participations``) once for every page, and
 * keeps which one they chose in this browser when they take part in several programs. */
export function ParticipationProvider({ children }: { children: ReactNode }) {
  const session = useSignedIn();
  const [result] = useQuery({ query: MyParticipations });
  const [picked, setPicked] = useState<string | null>(() =>
    localStorage.getItem(storageKey(session.userId)),
  );
  const role = ROLE[session.role];
  const all = result.data?.me.participations;
  const mine = useMemo(
    () => (all ?? []).filter((p) => (role ? p.roles.includes(role) : false)),
    [all, role],
  );
  const chosen =
    mine.find((p) => p.participantId === picked) ??
    mine.find((p) => p.status !== "WITHDRAWN") ??
    mine[0] ??
    null;
  const choose = useCallback(
    (participantId: string) => {
      localStorage.setItem(storageKey(session.userId), participantId);
      setPicked(participantId);
    },
    [session.userId],
  );
  const value = useMemo(() => ({ mine, chosen, choose, result }), [mine, chosen, choose, result]);
  return <ChoiceContext.Provider value={value}>{children}</ChoiceContext.Provider>;
}

export function useParticipation(): Choice {
  const choice = useContext(ChoiceContext);
  if (!choice) throw new Error("useParticipation outside ParticipationProvider");
  return choice;
}

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

/** The language of the signed-in person's profile (their participations): the app starts in it
 * unless a language was chosen in this browser, and choosing a language here also sets it on
 * each participation, so that notifications follow. */
export function useProfileLanguage(): (language: Language) => void {
  const { result } = useParticipation();
  const [, update] = useMutation(UpdateLanguage);
  const profiles = useMemo(
    () =>
      new Map(
        (result.data?.me.participations ?? [])
          .filter((p) => p.status !== "WITHDRAWN")
          .map((p) => [p.participant.id, p.participant.language]),
      ),
    [result.data],
  );
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

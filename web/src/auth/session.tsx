import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from "react";
import { endSession } from "./oidc";
import type { OidcConfig } from "./signInConfig";

export type Role = "admin" | "mentor" | "mentee";

export interface Session {
  token: string;
  userId: string;
  name: string;
  role: Role;
  /** Signed in at this identity provider (absent for the dev profile's sign-in). */
  oidc?: OidcConfig;
}

const KEY = "mentorship.session";

function load(): Session | null {
  try {
    const raw = localStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as Session) : null;
  } catch {
    return null;
  }
}

interface SessionState {
  session: Session | null;
  signIn: (session: Session) => void;
  /** Ends the session here, and at the identity provider when it signed the user in. */
  signOut: () => void;
  /** Forgets the session here only (its token expired or was refused): the sign-in page shows,
   * and the identity provider may sign the user in again without asking. */
  forget: () => void;
}

const SessionContext = createContext<SessionState | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<Session | null>(load);
  const signIn = useCallback((next: Session) => {
    localStorage.setItem(KEY, JSON.stringify(next));
    setSession(next);
  }, []);
  const forget = useCallback(() => {
    localStorage.removeItem(KEY);
    setSession(null);
  }, []);
  const signOut = useCallback(() => {
    const config = load()?.oidc;
    forget();
    if (config) void endSession(config).catch(() => undefined);
  }, [forget]);
  const value = useMemo(
    () => ({ session, signIn, signOut, forget }),
    [session, signIn, signOut, forget],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionState {
  const state = useContext(SessionContext);
  if (!state) throw new Error("useSession outside SessionProvider");
  return state;
}

/** The signed-in session; the pages that call this are only routed to when there is one. */
export function useSignedIn(): Session {
  const { session } = useSession();
  if (!session) throw new Error("not signed in");
  return session;
}

export interface DemoPerson {
  userId: string;
  name: string;
  role: Role;
}

/** The dev profile's sign-in: the gateway lists the demo people and signs a token for one. */
export async function demoPeople(): Promise<{ people: DemoPerson[]; problem: string | null }> {
  const answer = await fetch("/dev/people");
  if (answer.status === 404) throw new Error("no-dev-sign-in");
  if (!answer.ok) throw new Error(`HTTP ${answer.status}`);
  return (await answer.json()) as { people: DemoPerson[]; problem: string | null };
}

export async function demoToken(person: DemoPerson): Promise<Session> {
  const answer = await fetch("/dev/token", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ userId: person.userId, role: person.role, name: person.name }),
  });
  if (!answer.ok) throw new Error(`HTTP ${answer.status}`);
  const { token } = (await answer.json()) as { token: string };
  return { token, userId: person.userId, name: person.name, role: person.role };
}

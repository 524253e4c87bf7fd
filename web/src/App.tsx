import {
  lazy,
  Suspense,
  useCallback,
  useEffect,
  useRef,
  useState,
  type ComponentType,
  type ReactNode,
} from "react";
import { useTranslation } from "react-i18next";
import { BrowserRouter, Navigate, Route, Routes } from "react-router";
import { Provider } from "urql";
import { createClient } from "./api/client";
import { ParticipationProvider } from "./api/participation";
import { useTokenRenewal } from "./auth/renewal";
import { useSession, type Role } from "./auth/session";
import { Layout } from "./components/Layout";
import { RetryContext } from "./components/Problem";

/** A page from a chunk loaded on first use; the chunks group the pages of one role, so that
 * the main chunk holds only the shell (header, navigation, client, languages). */
function lazyPage<K extends string>(load: () => Promise<Record<K, ComponentType>>, name: K) {
  return lazy(async () => ({ default: (await load())[name] }));
}

const admin = () => import("./roles/admin");
const mentor = () => import("./roles/mentor");
const mentee = () => import("./roles/mentee");
const everyone = () => import("./roles/everyone");
const Programs = lazyPage(admin, "Programs");
const ProgramPage = lazyPage(admin, "ProgramPage");
const MentorDashboard = lazyPage(mentor, "MentorDashboard");
const Proposals = lazyPage(mentor, "Proposals");
const MenteePage = lazyPage(mentor, "MenteePage");
const MenteeHome = lazyPage(mentee, "MenteeHome");
const Suggestions = lazyPage(mentee, "Suggestions");
const Inbox = lazyPage(everyone, "Inbox");
const Preferences = lazyPage(everyone, "Preferences");
const SignIn = lazyPage(() => import("./pages/SignIn"), "SignIn");
const SignInCallback = lazyPage(() => import("./pages/SignInCallback"), "SignInCallback");

/** Says that a page is on its way while its chunk loads. */
function Loading({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  return <Suspense fallback={<p role="status">{t("loading")}</p>}>{children}</Suspense>;
}

const HOME: Record<Role, string> = { admin: "/programs", mentor: "/dashboard", mentee: "/path" };

function SignedIn({ token, role }: { token: string; role: Role }) {
  // a renewed token is used by the next request (and the next websocket connection) without
  // starting the client again: the pages keep what they show
  const current = useRef(token);
  current.current = token;
  // made in an effect, so that the websocket it opens is closed when the user changes
  const [client, setClient] = useState<ReturnType<typeof createClient>["client"] | null>(null);
  useEffect(() => {
    const made = createClient(() => current.current);
    setClient(made.client);
    return made.dispose;
  }, []);
  // trying again after the gateway could not be reached shows every page anew: each asks again
  const [attempt, setAttempt] = useState(0);
  const retry = useCallback(() => setAttempt((n) => n + 1), []);
  if (!client) return null;
  return (
    <Provider value={client}>
      <RetryContext.Provider value={retry}>
        <ParticipationProvider key={attempt}>
          <Layout>
            <Loading>
              <Routes>
                <Route path="/" element={<Navigate to={HOME[role]} replace />} />
                <Route path="/programs" element={<Programs />} />
                <Route path="/programs/:id/*" element={<ProgramPage />} />
                <Route path="/dashboard" element={<MentorDashboard />} />
                <Route path="/proposals" element={<Proposals />} />
                <Route path="/mentees/:id" element={<MenteePage />} />
                <Route path="/path" element={<MenteeHome />} />
                <Route path="/suggestions" element={<Suggestions />} />
                <Route path="/inbox" element={<Inbox />} />
                <Route path="/inbox/:id" element={<Inbox />} />
                <Route path="/preferences" element={<Preferences />} />
                <Route path="*" element={<Navigate to={HOME[role]} replace />} />
              </Routes>
            </Loading>
          </Layout>
        </ParticipationProvider>
      </RetryContext.Provider>
    </Provider>
  );
}

export function App() {
  const { session } = useSession();
  useTokenRenewal();
  return (
    <BrowserRouter>
      {session ? (
        <SignedIn
          key={`${session.userId} ${session.role}`}
          token={session.token}
          role={session.role}
        />
      ) : (
        <Loading>
          <Routes>
            <Route path="/auth/callback" element={<SignInCallback />} />
            <Route path="*" element={<SignIn />} />
          </Routes>
        </Loading>
      )}
    </BrowserRouter>
  );
}

import { useEffect, useRef, useState } from "react";
import { BrowserRouter, Navigate, Route, Routes } from "react-router";
import { Provider } from "urql";
import { createClient } from "./api/client";
import { ParticipationProvider } from "./api/participation";
import { useTokenRenewal } from "./auth/renewal";
import { useSession, type Role } from "./auth/session";
import { Layout } from "./components/Layout";
import { Inbox } from "./pages/Inbox";
import { MenteeHome } from "./pages/MenteeHome";
import { MenteePage } from "./pages/MenteePage";
import { MentorDashboard } from "./pages/MentorDashboard";
import { Preferences } from "./pages/Preferences";
import { ProgramPage } from "./pages/ProgramPage";
import { Programs } from "./pages/Programs";
import { Proposals } from "./pages/Proposals";
import { SignIn } from "./pages/SignIn";
import { SignInCallback } from "./pages/SignInCallback";
import { Suggestions } from "./pages/Suggestions";

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
  if (!client) return null;
  return (
    <Provider value={client}>
      <ParticipationProvider>
        <Layout>
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
        </Layout>
      </ParticipationProvider>
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
        <Routes>
          <Route path="/auth/callback" element={<SignInCallback />} />
          <Route path="*" element={<SignIn />} />
        </Routes>
      )}
    </BrowserRouter>
  );
}

import { useCallback, useEffect, useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { Link, NavLink } from "react-router";
import { useMutation, useQuery, useSubscription, type CombinedError } from "urql";
import { notificationPage } from "../api/notificationPage";
import { useParticipation, useProfileLanguage } from "../api/participation";
import { useSignedIn, useSession } from "../auth/session";
import { graphql } from "../gql";
import { Undone } from "./Problem";
import type { LiveNotificationsSubscription } from "../gql/graphql";
import { LANGUAGES, setLanguage, type Language } from "../i18n";

const UnreadCount = graphql(`
  query UnreadCount {
    notifications(unreadOnly: true, first: 1) {
      unread
    }
  }
`);

const LiveNotifications = graphql(`
  subscription LiveNotifications {
    notifications {
      id
      kind
      priority
      title
      body
      subjectId
      createdAt
      readAt
      about {
        opens
        programId
        menteeId
        matchId
        moduleId
        milestoneId
        checkInId
        sessionId
        plannedSessionId
      }
    }
  }
`);

const MarkToastRead = graphql(`
  mutation MarkToastRead($ids: [ID!]!) {
    markNotificationsRead(ids: $ids) {
      __typename
      ... on NotificationsMarked {
        unread
      }
    }
  }
`);

type Live = LiveNotificationsSubscription["notifications"];

/** The language menu; ``onChange`` replaces the default of keeping the choice in this browser. */
export function LanguageSwitch({ onChange = setLanguage }: { onChange?: (l: Language) => void }) {
  const { t, i18n } = useTranslation();
  return (
    <label className="language">
      {t("language.label")}{" "}
      <select value={i18n.language} onChange={(event) => onChange(event.target.value as Language)}>
        {LANGUAGES.map((language) => (
          <option key={language} value={language}>
            {t(`language.${language}`)}
          </option>
        ))}
      </select>
    </label>
  );
}

/** Which program the pages show, for a person taking part in several in the role they signed in
 * with (nothing when they take part in one). */
export function ParticipationSwitch() {
  const { t } = useTranslation();
  const { mine, chosen, choose } = useParticipation();
  if (mine.length < 2) return null;
  return (
    <label className="language">
      {t("participation.label")}{" "}
      <select value={chosen?.participantId ?? ""} onChange={(event) => choose(event.target.value)}>
        {mine.map((p) => (
          <option key={p.participantId} value={p.participantId}>
            {p.program.name}
            {p.status === "WITHDRAWN" ? ` (${t("roster.WITHDRAWN")})` : ""}
          </option>
        ))}
      </select>
    </label>
  );
}

/** How long the app waits before subscribing again to live notifications that ended. */
export const RESUBSCRIBE_MS = 3000;

/** The gateway ends a subscription with an error when notifications came faster than they were
 * read (SLOW_SUBSCRIBER) or a notification's texts could not be read (SERVICE_UNAVAILABLE): the
 * app then reads the unread count again (what arrived meanwhile is in the inbox) and subscribes
 * again, unless the token was refused (signing in again does). */
function useLiveAgain(
  error: CombinedError | undefined,
  resubscribe: () => void,
  refreshUnread: (opts: { requestPolicy: "network-only" }) => void,
) {
  useEffect(() => {
    if (!error) return;
    const refused = error.graphQLErrors.some((e) => e.extensions?.code === "UNAUTHENTICATED");
    if (refused) return;
    const timer = setTimeout(() => {
      refreshUnread({ requestPolicy: "network-only" });
      resubscribe();
    }, RESUBSCRIBE_MS);
    return () => clearTimeout(timer);
  }, [error, resubscribe, refreshUnread]);
}

/** The page frame: navigation for the signed-in role, the inbox badge, live toasts (each opens
 * the page its notification is about, and is then read: the badge drops at once, and comes back
 * with a word if that could not be saved). */
export function Layout({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  const session = useSignedIn();
  const { signOut } = useSession();
  const chooseLanguage = useProfileLanguage();
  const [unread, refreshUnread] = useQuery({ query: UnreadCount });
  const [toasts, setToasts] = useState<Live[]>([]);
  const [marking, markRead] = useMutation(MarkToastRead);
  const onLive = useCallback((_: unknown, event: LiveNotificationsSubscription) => {
    setToasts((shown) => [event.notifications, ...shown].slice(0, 3));
    return event;
  }, []);
  const [live, resubscribe] = useSubscription({ query: LiveNotifications }, onLive);
  useLiveAgain(live.error, resubscribe, refreshUnread);
  const count = unread.data?.notifications?.unread ?? 0;
  const links: [string, string][] =
    session.role === "admin"
      ? [["/programs", t("nav.programs")]]
      : session.role === "mentor"
        ? [
            ["/dashboard", t("nav.dashboard")],
            ["/proposals", t("nav.proposals")],
          ]
        : [
            ["/path", t("nav.path")],
            ["/suggestions", t("nav.suggestions")],
          ];
  return (
    <>
      <a className="skip" href="#main">
        {t("nav.skip")}
      </a>
      <header className="top">
        <p className="brand">
          <Link to="/">{t("app.name")}</Link>
        </p>
        <nav aria-label={t("nav.label")}>
          <ul>
            {links.map(([to, label]) => (
              <li key={to}>
                <NavLink to={to}>{label}</NavLink>
              </li>
            ))}
            <li>
              <NavLink to="/inbox">
                {t("nav.inbox")}{" "}
                <span
                  className="badge"
                  data-testid="inbox-badge"
                  aria-label={t("nav.unread", { count })}
                >
                  {count}
                </span>
              </NavLink>
            </li>
            <li>
              <NavLink to="/preferences">{t("nav.preferences")}</NavLink>
            </li>
          </ul>
        </nav>
        <div className="who">
          <span>
            {session.name} ({t(`roles.${session.role}`)})
          </span>
          <ParticipationSwitch />
          <LanguageSwitch onChange={chooseLanguage} />
          <button type="button" onClick={signOut}>
            {t("signIn.out")}
          </button>
        </div>
      </header>
      <main id="main">{children}</main>
      <section className="toasts" aria-live="polite" aria-label={t("toasts.label")}>
        <Undone error={marking.error} result={marking.data?.markNotificationsRead} />
        {toasts.map((toast) => (
          <div key={toast.id} className={`toast ${toast.priority.toLowerCase()}`} role="status">
            <p className="kind">{t(`kinds.${toast.kind}`)}</p>
            <p>
              <strong>{toast.title}</strong>
            </p>
            <p>{toast.body}</p>
            <Link
              to={notificationPage(toast, session.role)}
              onClick={() => {
                setToasts((shown) => shown.filter((s) => s.id !== toast.id));
                void markRead({ ids: [toast.id] });
              }}
            >
              {t("toasts.open")}
            </Link>{" "}
            <button
              type="button"
              onClick={() => setToasts((shown) => shown.filter((s) => s.id !== toast.id))}
            >
              {t("toasts.dismiss")}
            </button>
          </div>
        ))}
      </section>
    </>
  );
}

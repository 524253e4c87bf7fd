import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import { useMutation, useQuery } from "urql";
import { notificationPage } from "../api/notificationPage";
import { useSignedIn } from "../auth/session";
import { Loading, MutationProblem, Problem, Undone } from "../components/Problem";
import { graphql } from "../gql";

const InboxQuery = graphql(`
  query Inbox($after: String) {
    notifications(first: 20, after: $after) {
      unread
      notifications {
        pageInfo {
          hasNextPage
          endCursor
        }
        nodes {
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
    }
  }
`);

const MarkRead = graphql(`
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
`);

/** My notifications, newest first, each with its kind and a link to the page it is about;
 * /inbox/:id shows one (and marks it read). Marking one read shows at once (the cache's
 * optimistic update), and says so if it could not be saved. */
export function Inbox() {
  const { t, i18n } = useTranslation();
  const session = useSignedIn();
  const { id: opened } = useParams();
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const after = cursors[cursors.length - 1] ?? null;
  const [inbox] = useQuery({ query: InboxQuery, variables: { after } });
  const [marking, markRead] = useMutation(MarkRead);
  const nodes = inbox.data?.notifications?.notifications.nodes ?? [];
  const page = inbox.data?.notifications?.notifications.pageInfo;
  const openedUnread = nodes.some((n) => n.id === opened && !n.readAt);

  useEffect(() => {
    if (opened && openedUnread) void markRead({ ids: [opened] });
  }, [opened, openedUnread, markRead]);

  const pageOf = (n: (typeof nodes)[number]) => notificationPage(n, session.role);
  const when = (iso: string) =>
    new Intl.DateTimeFormat(i18n.language, { dateStyle: "medium", timeStyle: "short" }).format(
      new Date(iso),
    );
  if (inbox.fetching && !inbox.data) return <Loading />;
  return (
    <>
      <h1>{t("inbox.heading")}</h1>
      <p>{t("inbox.unread", { count: inbox.data?.notifications?.unread ?? 0 })}</p>
      <Problem error={inbox.error ?? marking.error} />
      <MutationProblem result={marking.data?.markNotificationsRead} />
      <Undone error={marking.error} result={marking.data?.markNotificationsRead} />
      {nodes.length === 0 ? <p>{t("inbox.empty")}</p> : null}
      <ul className="inbox">
        {nodes.map((n) => (
          <li
            key={n.id}
            className={`card ${n.readAt ? "read" : "unread"} ${n.priority.toLowerCase()}`}
            aria-current={n.id === opened ? "true" : undefined}
          >
            <article aria-label={n.title}>
              <p className="kind">{t(`kinds.${n.kind}`)}</p>
              <h2>{n.title}</h2>
              <p>{n.body}</p>
              <p className="meta">
                <time dateTime={n.createdAt}>{when(n.createdAt)}</time> ·{" "}
                {n.readAt ? t("inbox.read") : t("inbox.new")}
                {pageOf(n) !== `/inbox/${encodeURIComponent(n.id)}` ? (
                  <>
                    {" · "}
                    <Link to={pageOf(n)}>{t("inbox.open")}</Link>
                  </>
                ) : null}
              </p>
              {!n.readAt ? (
                <button type="button" onClick={() => void markRead({ ids: [n.id] })}>
                  {t("inbox.markRead")}
                </button>
              ) : null}
            </article>
          </li>
        ))}
      </ul>
      <nav aria-label={t("pages.label")} className="pages">
        {cursors.length > 1 ? (
          <button type="button" onClick={() => setCursors((c) => c.slice(0, -1))}>
            {t("pages.previous")}
          </button>
        ) : null}
        {page?.hasNextPage ? (
          <button type="button" onClick={() => setCursors((c) => [...c, page.endCursor ?? null])}>
            {t("pages.next")}
          </button>
        ) : null}
      </nav>
    </>
  );
}

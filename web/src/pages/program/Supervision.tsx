import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import { useQuery } from "urql";
import { Pager, type Cursors } from "../../components/Pager";
import { Loading, Problem } from "../../components/Problem";
import { Trend } from "../../components/Progress";
import { graphql } from "../../gql";

const SupervisionQuery = graphql(`
  query Supervision($mentorId: ID!, $after: String) {
    mentor(id: $mentorId) {
      id
      programId
      displayName
      email
      department
      capacity
      openMatches
    }
    mentorDashboard(mentorId: $mentorId, first: 20, after: $after) {
      byStatus {
        status
        count
      }
      mentees {
        pageInfo {
          hasNextPage
          endCursor
        }
        nodes {
          menteeId
          status
          confidenceTrend
          lastActivityAt
          unreadAlerts
          progress {
            menteeId
            percent
          }
          profile {
            id
            displayName
            department
          }
        }
      }
    }
  }
`);

/** A mentor's supervision page for the program's admins: the mentor's load (open matches
 * against capacity) and their mentees in the programs the admin runs, by status, each with
 * progress, confidence trend and the admin's own unread alerts about them, paged; each mentee
 * opens the mentee's page, where an admin sees figures and dates, not notes. */
export function Supervision({ programId }: { programId: string }) {
  const { t, i18n } = useTranslation();
  const { mentorId = "" } = useParams();
  const [cursors, setCursors] = useState<Cursors>([null]);
  const [result] = useQuery({
    query: SupervisionQuery,
    variables: { mentorId, after: cursors[cursors.length - 1] ?? null },
  });
  const mentor = result.data?.mentor;
  const dashboard = result.data?.mentorDashboard;
  const back = `/programs/${encodeURIComponent(programId)}/roster`;
  if (result.fetching && !result.data) return <Loading />;
  const free = mentor ? Math.max(0, mentor.capacity - mentor.openMatches) : 0;
  const day = new Intl.DateTimeFormat(i18n.language, { dateStyle: "medium" });
  return (
    <section className="card" aria-labelledby="supervision-title">
      <h2 id="supervision-title">
        {mentor ? t("supervision.title", { name: mentor.displayName }) : t("supervision.untitled")}
      </h2>
      <p>
        <Link to={back}>{t("supervision.back")}</Link>
      </p>
      <Problem error={result.error} />
      {mentor ? (
        <p>
          {[mentor.department, mentor.email].filter(Boolean).join(" · ")}
          {mentor.department || mentor.email ? <br /> : null}
          <meter
            min={0}
            max={Math.max(1, mentor.capacity)}
            value={mentor.openMatches}
            aria-label={t("supervision.load")}
          />{" "}
          {t("load.of", { open: mentor.openMatches, capacity: mentor.capacity })} ·{" "}
          {t("supervision.free", { count: free })}
        </p>
      ) : null}
      {dashboard ? (
        <>
          <ul className="counts" aria-label={t("dashboard.byStatus")}>
            {dashboard.byStatus.map((s) => (
              <li key={s.status} className={`status ${s.status.toLowerCase()}`}>
                <strong>{s.count}</strong> {t(`status.${s.status}`)}
              </li>
            ))}
          </ul>
          {dashboard.mentees.nodes.length === 0 ? <p>{t("supervision.none")}</p> : null}
          {dashboard.mentees.nodes.length ? (
            <div className="table-wrap">
              <table className="mentees">
                <caption>{t("supervision.caption")}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t("dashboard.mentee")}</th>
                    <th scope="col">{t("dashboard.status")}</th>
                    <th scope="col">{t("dashboard.progress")}</th>
                    <th scope="col">{t("dashboard.trend")}</th>
                    <th scope="col">{t("supervision.lastActivity")}</th>
                    <th scope="col">{t("supervision.alerts")}</th>
                  </tr>
                </thead>
                <tbody>
                  {dashboard.mentees.nodes.map((m) => (
                    <tr key={m.menteeId}>
                      <th scope="row">
                        <Link to={`/mentees/${encodeURIComponent(m.menteeId)}`}>
                          {m.profile?.displayName ?? m.menteeId}
                        </Link>
                      </th>
                      <td>{t(`status.${m.status}`)}</td>
                      <td>{m.progress.percent}%</td>
                      <td>
                        <Trend trend={m.confidenceTrend} />
                      </td>
                      <td>{m.lastActivityAt ? day.format(new Date(m.lastActivityAt)) : "–"}</td>
                      <td>{m.unreadAlerts ?? "–"}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : null}
          <Pager cursors={cursors} setCursors={setCursors} page={dashboard.mentees.pageInfo} />
        </>
      ) : null}
    </section>
  );
}

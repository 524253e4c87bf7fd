import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { useQuery } from "urql";
import { Pager, useCursorPages } from "../components/Pager";
import { Loading, Problem } from "../components/Problem";
import { Trend } from "../components/Progress";
import { graphql } from "../gql";

const Dashboard = graphql(`
  query MyMentees($after: String) {
    myMentees(first: 20, after: $after) {
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

/** The mentor's dashboard: mentees by status, each with progress, trend and unread alerts. */
export function MentorDashboard() {
  const { t } = useTranslation();
  const pages = useCursorPages();
  const [result] = useQuery({ query: Dashboard, variables: { after: pages.after } });
  const data = result.data?.myMentees;
  if (result.fetching && !data) return <Loading />;
  return (
    <>
      <h1>{t("dashboard.heading")}</h1>
      <Problem error={result.error} />
      {data ? (
        <>
          <ul className="counts" aria-label={t("dashboard.byStatus")}>
            {data.byStatus.map((s) => (
              <li key={s.status} className={`status ${s.status.toLowerCase()}`}>
                <strong>{s.count}</strong> {t(`status.${s.status}`)}
              </li>
            ))}
          </ul>
          <div className="table-wrap">
            <table className="mentees">
              <caption>{t("dashboard.mentees")}</caption>
              <thead>
                <tr>
                  <th scope="col">{t("dashboard.mentee")}</th>
                  <th scope="col">{t("dashboard.status")}</th>
                  <th scope="col">{t("dashboard.progress")}</th>
                  <th scope="col">{t("dashboard.trend")}</th>
                  <th scope="col">{t("dashboard.alerts")}</th>
                </tr>
              </thead>
              <tbody>
                {data.mentees.nodes.map((m) => (
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
                    <td>{m.unreadAlerts ?? "–"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pager {...pages} page={data.mentees.pageInfo} />
        </>
      ) : null}
    </>
  );
}

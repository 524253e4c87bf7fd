import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { useQuery } from "urql";
import { Pager, type Cursors } from "../../components/Pager";
import { Loading, Problem } from "../../components/Problem";
import { graphql } from "../../gql";

const MentorsQuery = graphql(`
  query MentorsLoad($id: ID!, $after: String) {
    program(id: $id) {
      id
      mentors(first: 20, after: $after) {
        pageInfo {
          hasNextPage
          endCursor
        }
        nodes {
          capacity
          openMatches
          freePlaces
          mentor {
            id
            displayName
          }
          mentees {
            participantId
            displayName
            matchId
            matchStatus
            progressStatus
          }
        }
      }
    }
  }
`);

/** The program's mentors and their load: open matches against capacity, free places, and each
 * mentee with how they are doing; each mentor opens their supervision page. */
export function Mentors({ programId }: { programId: string }) {
  const { t } = useTranslation();
  const [cursors, setCursors] = useState<Cursors>([null]);
  const [result] = useQuery({
    query: MentorsQuery,
    variables: { id: programId, after: cursors[cursors.length - 1] ?? null },
  });
  const page = result.data?.program?.mentors;
  return (
    <section className="card" aria-labelledby="mentors-title">
      <h2 id="mentors-title">{t("load.title")}</h2>
      <Problem error={result.error} />
      {result.fetching && !page ? <Loading /> : null}
      {page && page.nodes.length === 0 ? <p>{t("load.none")}</p> : null}
      {page && page.nodes.length ? (
        <div className="table-wrap">
          <table>
            <caption>{t("load.caption")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("load.mentor")}</th>
                <th scope="col">{t("load.load")}</th>
                <th scope="col">{t("load.free")}</th>
                <th scope="col">{t("load.mentees")}</th>
              </tr>
            </thead>
            <tbody>
              {page.nodes.map((m) => (
                <tr key={m.mentor.id}>
                  <th scope="row">
                    <Link
                      to={`/programs/${encodeURIComponent(programId)}/mentors/${encodeURIComponent(m.mentor.id)}`}
                      aria-label={t("load.open", { name: m.mentor.displayName })}
                    >
                      {m.mentor.displayName}
                    </Link>
                  </th>
                  <td>
                    <meter
                      min={0}
                      max={Math.max(1, m.capacity)}
                      value={m.openMatches}
                      aria-label={t("load.of", { open: m.openMatches, capacity: m.capacity })}
                    />{" "}
                    {t("load.of", { open: m.openMatches, capacity: m.capacity })}
                  </td>
                  <td>{m.freePlaces}</td>
                  <td>
                    {m.mentees
                      .map(
                        (e) =>
                          `${e.displayName} (${
                            e.progressStatus
                              ? t(`status.${e.progressStatus}`)
                              : t(`matchStatus.${e.matchStatus}`)
                          })`,
                      )
                      .join(", ") || "–"}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <Pager cursors={cursors} setCursors={setCursors} page={page?.pageInfo} />
    </section>
  );
}

import { useTranslation } from "react-i18next";
import { NavLink, Route, Routes, useParams } from "react-router";
import { useQuery } from "urql";
import { Loading, Problem } from "../components/Problem";
import { graphql } from "../gql";
import { Admins } from "./program/Admins";
import { Audit } from "./program/Audit";
import { Import } from "./program/Import";
import { Matching } from "./program/Matching";
import { Mentors } from "./program/Mentors";
import { Report } from "./program/Report";
import { Roster } from "./program/Roster";
import { Settings } from "./program/Settings";
import { Supervision } from "./program/Supervision";

const ProgramQuery = graphql(`
  query Program($id: ID!) {
    program(id: $id) {
      id
      name
      description
      status
      learningPathId
      defaultMentorCapacity
      proposalExpiryDays
      mutualAcceptance
      selfErasure
      adminIds
      createdAt
    }
    programHealth(programId: $id) {
      programId
      mentees
      byStatus {
        status
        count
      }
      funnel {
        moduleId
        title
        completed
      }
    }
  }
`);

/** A program for its admins: an overview (settings, opening and closing, co-admins, health),
 * the roster with the mentors' load, importing people from a CSV file, matching, the report
 * over a period, a mentor's supervision page, and the audit trail. */
export function ProgramPage() {
  const { t } = useTranslation();
  const { id = "" } = useParams();
  const [result] = useQuery({ query: ProgramQuery, variables: { id } });
  const program = result.data?.program;
  const health = result.data?.programHealth;
  if (result.fetching && !result.data) return <Loading />;
  const most = Math.max(1, health?.mentees ?? 0);
  const base = `/programs/${encodeURIComponent(id)}`;
  const tabs: [string, string][] = [
    [base, t("program.overview")],
    [`${base}/roster`, t("program.roster")],
    [`${base}/import`, t("program.import")],
    [`${base}/matching`, t("program.matching")],
    [`${base}/report`, t("program.report")],
    [`${base}/audit`, t("program.audit")],
  ];
  return (
    <>
      <h1>{program?.name ?? t("programs.heading")}</h1>
      <Problem error={result.error} />
      {program ? (
        <p>
          {t(`programStatus.${program.status}`)}
          {program.description ? ` · ${program.description}` : ""}
        </p>
      ) : null}
      <nav aria-label={t("program.sections")} className="subnav">
        <ul>
          {tabs.map(([to, label]) => (
            <li key={to}>
              <NavLink to={to} end>
                {label}
              </NavLink>
            </li>
          ))}
        </ul>
      </nav>
      {program ? (
        <Routes>
          <Route
            path="roster"
            element={
              <>
                <Roster programId={program.id} />
                <Mentors programId={program.id} />
              </>
            }
          />
          <Route path="import" element={<Import programId={program.id} />} />
          <Route path="matching" element={<Matching programId={program.id} />} />
          <Route path="report" element={<Report programId={program.id} />} />
          <Route path="audit" element={<Audit programId={program.id} />} />
          <Route path="mentors/:mentorId" element={<Supervision programId={program.id} />} />
          <Route
            path="*"
            element={
              <>
                <Settings key={program.id} program={program} />
                <Admins programId={program.id} adminIds={program.adminIds} />
                {health ? (
                  <section className="card" aria-labelledby="health-title">
                    <h2 id="health-title">{t("health.title")}</h2>
                    <p>{t("health.mentees", { count: health.mentees })}</p>
                    <ul className="counts">
                      {health.byStatus.map((s) => (
                        <li key={s.status} className={`status ${s.status.toLowerCase()}`}>
                          <strong>{s.count}</strong> {t(`status.${s.status}`)}
                        </li>
                      ))}
                    </ul>
                    <h3>{t("health.funnel")}</h3>
                    <ol className="funnel">
                      {health.funnel.map((step) => (
                        <li key={step.moduleId}>
                          <span>{step.title}</span>
                          <meter
                            min={0}
                            max={most}
                            value={step.completed}
                            aria-label={step.title}
                          />{" "}
                          {step.completed}
                        </li>
                      ))}
                    </ol>
                  </section>
                ) : null}
              </>
            }
          />
        </Routes>
      ) : null}
    </>
  );
}

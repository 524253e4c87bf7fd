import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { useMyMatch } from "../api/participation";
import { Loading, Problem } from "../components/Problem";
import { MenteeProgress } from "../components/Progress";

/** The mentee's home: their path, a check-in, their mentor. */
export function MenteeHome() {
  const { t } = useTranslation();
  const { match, result } = useMyMatch();
  if (result.fetching && !result.data) return <Loading />;
  return (
    <>
      <h1>{t("path.heading")}</h1>
      <Problem error={result.error} />
      {!match ? (
        <p>
          {t("path.noMatch")} <Link to="/suggestions">{t("nav.suggestions")}</Link>
        </p>
      ) : (
        <>
          <section className="card" aria-labelledby="mentor-title">
            <h2 id="mentor-title">{t("path.myMentor")}</h2>
            <p>
              {match.mentor.name} · {t(`matchStatus.${match.status}`)}
            </p>
          </section>
          {match.status === "ACTIVE" ? (
            <MenteeProgress menteeId={match.mentee.participantId} mine />
          ) : (
            <p>{t("path.notStarted")}</p>
          )}
        </>
      )}
    </>
  );
}

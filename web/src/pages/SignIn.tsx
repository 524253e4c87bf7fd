import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { demoPeople, demoToken, useSession, type DemoPerson, type Role } from "../auth/session";
import { LanguageSwitch } from "../components/Layout";

const ROLES: Role[] = ["admin", "mentor", "mentee"];

/** Development sign-in: the gateway's dev profile lists the demo people and signs their tokens. */
export function SignIn() {
  const { t } = useTranslation();
  const { signIn } = useSession();
  const [people, setPeople] = useState<DemoPerson[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  useEffect(() => {
    demoPeople()
      .then((listed) => {
        setPeople(listed.people);
        if (listed.problem) setProblem(t("signIn.partial"));
      })
      .catch((error: Error) =>
        setProblem(error.message === "no-dev-sign-in" ? t("signIn.noDev") : t("errors.network")),
      );
  }, [t]);

  async function choose(person: DemoPerson) {
    setBusy(person.userId);
    try {
      signIn(await demoToken(person));
    } catch {
      setProblem(t("errors.network"));
      setBusy(null);
    }
  }

  return (
    <main id="main" className="sign-in">
      <header className="sign-in-head">
        <h1>{t("signIn.title")}</h1>
        <LanguageSwitch />
      </header>
      <p>{t("signIn.intro")}</p>
      {problem ? (
        <p role="alert" className="problem">
          {problem}
        </p>
      ) : null}
      {people === null && !problem ? <p role="status">{t("loading")}</p> : null}
      {ROLES.map((role) => {
        const some = (people ?? []).filter((p) => p.role === role);
        if (!some.length) return null;
        return (
          <section key={role} aria-labelledby={`role-${role}`}>
            <h2 id={`role-${role}`}>{t(`signIn.${role}s`)}</h2>
            <ul className="people">
              {some.map((person) => (
                <li key={person.userId}>
                  <button
                    type="button"
                    disabled={busy !== null}
                    onClick={() => void choose(person)}
                  >
                    {person.name}
                  </button>{" "}
                  <small>{person.userId}</small>
                </li>
              ))}
            </ul>
          </section>
        );
      })}
    </main>
  );
}

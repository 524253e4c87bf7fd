import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { startSignIn } from "../auth/oidc";
import { demoPeople, demoToken, useSession, type DemoPerson, type Role } from "../auth/session";
import { readSignInConfig, type OidcConfig, type SignInConfig } from "../auth/signInConfig";
import { LanguageSwitch } from "../components/Layout";

const ROLES: Role[] = ["admin", "mentor", "mentee"];

/** The sign-in page: the gateway says how people sign in here (the dev profile's demo people,
 * the company's identity provider, or no way at all). */
export function SignIn() {
  const { t } = useTranslation();
  const [config, setConfig] = useState<SignInConfig | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    readSignInConfig()
      .then(setConfig)
      .catch(() => setProblem(t("errors.network")));
  }, [t]);

  return (
    <main id="main" className="sign-in">
      <header className="sign-in-head">
        <h1>{t("signIn.title")}</h1>
        <LanguageSwitch />
      </header>
      {problem ? (
        <p role="alert" className="problem">
          {problem}
        </p>
      ) : null}
      {config === null && !problem ? <p role="status">{t("loading")}</p> : null}
      {config?.mode === "dev" ? <DevSignIn /> : null}
      {config?.mode === "oidc" ? <CompanySignIn config={config} /> : null}
      {config?.mode === "none" ? (
        <p role="alert" className="problem">
          {t("signIn.none")}
        </p>
      ) : null}
    </main>
  );
}

/** To the company's identity provider, which sends the browser back to /auth/callback. */
function CompanySignIn({ config }: { config: OidcConfig }) {
  const { t } = useTranslation();
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  async function go() {
    setBusy(true);
    try {
      await startSignIn(config);
    } catch {
      setProblem(t("signIn.unreachable"));
      setBusy(false);
    }
  }

  return (
    <>
      <p>{t("signIn.company")}</p>
      {problem ? (
        <p role="alert" className="problem">
          {problem}
        </p>
      ) : null}
      <button type="button" disabled={busy} onClick={() => void go()}>
        {t("signIn.withCompany")}
      </button>
    </>
  );
}

/** Development sign-in: the gateway's dev profile lists the demo people and signs their tokens. */
function DevSignIn() {
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
    <>
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
    </>
  );
}

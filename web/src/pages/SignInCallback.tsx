import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { useLocation, useNavigate } from "react-router";
import { completeSignIn, SignInRefused } from "../auth/oidc";
import { useSession } from "../auth/session";
import { readSignInConfig } from "../auth/signInConfig";
import { LanguageSwitch } from "../components/Layout";

/** Where the identity provider sends the browser back: the code is exchanged for tokens, the
 * session starts and the user's home page shows; or the user is told why not and can sign in
 * again. */
export function SignInCallback() {
  const { t } = useTranslation();
  const { signIn } = useSession();
  const navigate = useNavigate();
  const { pathname, search } = useLocation();
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    const url = `${location.origin}${pathname}${search}`;
    readSignInConfig()
      .then((config) => {
        if (config.mode !== "oidc") throw new SignInRefused("notConfigured");
        return completeSignIn(url, config);
      })
      .then((session) => {
        signIn(session);
        void navigate("/", { replace: true });
      })
      .catch((error: unknown) => {
        const reason = error instanceof SignInRefused ? error.message : "failed";
        setProblem(t(`signIn.refused.${reason}`));
      });
  }, [navigate, pathname, search, signIn, t]);

  return (
    <main id="main" className="sign-in">
      <header className="sign-in-head">
        <h1>{t("signIn.title")}</h1>
        <LanguageSwitch />
      </header>
      {problem ? (
        <div role="alert" className="problem">
          <p>{problem}</p>
          <button type="button" onClick={() => void navigate("/", { replace: true })}>
            {t("signIn.again")}
          </button>
        </div>
      ) : (
        <p role="status">{t("signIn.finishing")}</p>
      )}
    </main>
  );
}

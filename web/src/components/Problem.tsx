import { createContext, useContext } from "react";
import { useTranslation } from "react-i18next";
import type { CombinedError } from "urql";
import { useSession } from "../auth/session";

/** Asks every query of the signed-in pages again (they are shown anew). */
export const RetryContext = createContext<(() => void) | null>(null);

/** A query's or a request's failure, said in words: the gateway down (with a way to try again),
 * a session expired (with a way to sign in again), or the GraphQL error's message and code. */
export function Problem({ error }: { error: CombinedError | undefined }) {
  const { t } = useTranslation();
  const { forget } = useSession();
  const retry = useContext(RetryContext);
  if (!error) return null;
  const codes = error.graphQLErrors.map((e) => String(e.extensions?.code ?? ""));
  if (codes.includes("UNAUTHENTICATED")) {
    return (
      <div role="alert" className="problem">
        <p>{t("errors.expired")}</p>
        <button type="button" onClick={forget}>
          {t("signIn.again")}
        </button>
      </div>
    );
  }
  if (error.networkError) {
    return (
      <div role="alert" className="problem">
        <p>{t("errors.network")}</p>
        {retry ? (
          <button type="button" onClick={retry}>
            {t("errors.retry")}
          </button>
        ) : null}
      </div>
    );
  }
  return (
    <div role="alert" className="problem">
      <ul>
        {error.graphQLErrors.map((e, i) => (
          <li key={i}>
            {e.message}
            {e.extensions?.code ? <code> ({String(e.extensions.code)})</code> : null}
          </li>
        ))}
      </ul>
    </div>
  );
}

interface MutationErrorLike {
  __typename?: string;
  message?: string;
  problems?: { path: string[]; message: string }[];
}

const ERROR_TYPES = new Set(["ValidationError", "NotFound", "Forbidden", "Conflict"]);

export function isMutationError(value: unknown): value is MutationErrorLike {
  return (
    typeof value === "object" &&
    value !== null &&
    ERROR_TYPES.has(String((value as MutationErrorLike).__typename))
  );
}

/** The typed error a mutation answered (ValidationError, NotFound, Forbidden, Conflict). */
export function MutationProblem({ result }: { result: unknown }) {
  const { t } = useTranslation();
  if (!isMutationError(result)) return null;
  return (
    <div role="alert" className="problem">
      <p>
        <strong>{t(`errors.${result.__typename}`)}</strong> {result.message}
      </p>
      {result.problems?.length ? (
        <ul>
          {result.problems.map((p, i) => (
            <li key={i}>
              <code>{p.path.join(".")}</code>: {p.message}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

/** Says that a change shown before the server answered was not saved, and so is shown as it
 * was: the request failed or the server answered a typed error. */
export function Undone({ error, result }: { error: CombinedError | undefined; result: unknown }) {
  const { t } = useTranslation();
  if (!error && !isMutationError(result)) return null;
  return (
    <p role="alert" className="problem">
      {t("errors.undone")}
    </p>
  );
}

export function Loading() {
  const { t } = useTranslation();
  return (
    <p role="status" className="loading">
      {t("loading")}
    </p>
  );
}

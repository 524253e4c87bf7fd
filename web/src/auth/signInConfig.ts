/** How people sign in on this server, as the gateway says at run time (GET /auth/config), so
 * that one build of the app serves every company. */

export interface OidcConfig {
  authority: string;
  clientId: string;
  scope: string;
}

export type SignInConfig = { mode: "dev" } | ({ mode: "oidc" } & OidcConfig) | { mode: "none" };

function text(value: unknown): value is string {
  return typeof value === "string" && value.length > 0;
}

/** The configuration in the gateway's answer; an answer of another shape is refused. */
export function parseSignInConfig(value: unknown): SignInConfig {
  const answer = (typeof value === "object" && value !== null ? value : {}) as Record<
    string,
    unknown
  >;
  if (answer.mode === "dev" || answer.mode === "none") return { mode: answer.mode };
  if (
    answer.mode === "oidc" &&
    text(answer.authority) &&
    text(answer.clientId) &&
    text(answer.scope)
  ) {
    return {
      mode: "oidc",
      authority: answer.authority,
      clientId: answer.clientId,
      scope: answer.scope,
    };
  }
  throw new Error("the server's sign-in configuration cannot be read");
}

export async function readSignInConfig(fetcher: typeof fetch = fetch): Promise<SignInConfig> {
  const answer = await fetcher("/auth/config", { headers: { Accept: "application/json" } });
  if (!answer.ok) throw new Error(`HTTP ${answer.status}`);
  return parseSignInConfig(await answer.json());
}

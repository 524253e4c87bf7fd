import type { User, UserManager } from "oidc-client-ts";
import { print } from "graphql";
import { graphql } from "../gql";
import type { SignedInAsQuery } from "../gql/graphql";
import type { Role, Session } from "./session";
import type { OidcConfig } from "./signInConfig";

/** Where the identity provider sends the browser back with the authorization code. */
export const CALLBACK_PATH = "/auth/callback";

const SignedInAs = graphql(`
  query SignedInAs {
    me {
      userId
      name
      roles
    }
  }
`);

const managers = new Map<string, Promise<UserManager>>();

/** One UserManager per identity provider and client: authorization code with PKCE (S256, which
 * oidc-client-ts always uses for the code flow); tokens renewed before they expire when the
 * provider gave a refresh token. oidc-client-ts is loaded only where it is used (not in the dev
 * profile). */
export function userManager(config: OidcConfig): Promise<UserManager> {
  const key = `${config.authority} ${config.clientId} ${config.scope}`;
  let manager = managers.get(key);
  if (!manager) {
    manager = import("oidc-client-ts").then(
      ({ UserManager }) =>
        new UserManager({
          authority: config.authority,
          client_id: config.clientId,
          scope: config.scope,
          response_type: "code",
          redirect_uri: `${location.origin}${CALLBACK_PATH}`,
          post_logout_redirect_uri: `${location.origin}/`,
          automaticSilentRenew: true,
        }),
    );
    managers.set(key, manager);
  }
  return manager;
}

/** To the identity provider's sign-in page; it comes back to CALLBACK_PATH. */
export async function startSignIn(config: OidcConfig): Promise<void> {
  await (await userManager(config)).signinRedirect();
}

/** The part of a UserManager that finishing a sign-in uses (a test gives its own). */
export type Callback = Pick<UserManager, "signinRedirectCallback">;

export class SignInRefused extends Error {}

const PRECEDENCE: Role[] = ["admin", "mentor", "mentee"];

/** The session for this user, from the gateway's answer to ``me`` with their access token: who
 * they are and their roles as the gateway reads them (JWT_ROLES_CLAIM), the first of admin,
 * mentor, mentee chosen. A token the gateway refuses, or someone without a role here, gets
 * SignInRefused with a reason to show. */
export async function sessionFor(
  user: Pick<User, "access_token">,
  config: OidcConfig,
  fetcher: typeof fetch = fetch,
): Promise<Session> {
  const answer = await fetcher("/graphql", {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${user.access_token}` },
    body: JSON.stringify({ query: print(SignedInAs), operationName: "SignedInAs" }),
  });
  if (!answer.ok && answer.status !== 401) throw new Error(`HTTP ${answer.status}`);
  const body = (await answer.json()) as {
    data?: SignedInAsQuery | null;
    errors?: { message: string; extensions?: { code?: string } }[];
  };
  const me = body.data?.me;
  if (!me) {
    const refused = body.errors?.some((e) => e.extensions?.code === "UNAUTHENTICATED");
    throw refused ? new SignInRefused("refused") : new Error(body.errors?.[0]?.message);
  }
  const roles = me.roles.map((role) => role.toLowerCase() as Role);
  const role = PRECEDENCE.find((r) => roles.includes(r));
  if (!role) throw new SignInRefused("noRole");
  return {
    token: user.access_token,
    userId: me.userId,
    name: me.name ?? me.userId,
    role,
    oidc: config,
  };
}

const finishing = new Map<string, Promise<Session>>();

/** Finishes the sign-in the identity provider came back from: the code is exchanged for tokens
 * (with the PKCE verifier kept since the redirect), then the gateway is asked who this is. Once
 * per callback URL, though React may run the effect that calls it twice. */
export function completeSignIn(
  url: string,
  config: OidcConfig,
  manager: Callback | Promise<Callback> = userManager(config),
  fetcher: typeof fetch = fetch,
): Promise<Session> {
  let done = finishing.get(url);
  if (!done) {
    done = Promise.resolve(manager)
      .then((exchanging) => exchanging.signinRedirectCallback(url))
      .then((user) => sessionFor(user, config, fetcher));
    finishing.set(url, done);
  }
  return done;
}

/** Ends the session at the identity provider too when it says how (an end_session_endpoint):
 * the browser goes there and comes back to the app; else only the tokens kept here are
 * forgotten. */
export async function endSession(config: OidcConfig): Promise<void> {
  const manager = await userManager(config);
  let endpoint: string | undefined;
  try {
    endpoint = await manager.metadataService.getEndSessionEndpoint();
  } catch {
    endpoint = undefined; // the provider cannot be reached: what is here is forgotten all the same
  }
  if (endpoint) await manager.signoutRedirect();
  else await manager.removeUser();
}

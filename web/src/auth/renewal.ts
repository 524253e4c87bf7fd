import { useEffect, useRef } from "react";
import { userManager } from "./oidc";
import { useSession } from "./session";

/** While someone signed in at an identity provider is here, oidc-client-ts renews their access
 * token before it expires (with the refresh token, where the provider gave one) and the session
 * takes the new token. Where it cannot, the token expires: the gateway refuses it and the page
 * says so, with a way to sign in again. */
export function useTokenRenewal(): void {
  const { session, signIn } = useSession();
  const latest = useRef(session);
  latest.current = session;
  const config = session?.oidc;
  const provider = config ? JSON.stringify(config) : null;

  useEffect(() => {
    if (!provider) return;
    let off = () => {};
    let stopped = false;
    void userManager(JSON.parse(provider) as NonNullable<typeof config>)
      .then(async (manager) => {
        if (stopped) return;
        off = manager.events.addUserLoaded((user) => {
          const now = latest.current;
          if (now?.oidc && now.token !== user.access_token) {
            signIn({ ...now, token: user.access_token });
          }
        });
        // loading the kept user starts the timer that renews its token before it expires
        await manager.getUser();
      })
      .catch(() => undefined);
    return () => {
      stopped = true;
      off();
    };
  }, [provider, signIn]);
}

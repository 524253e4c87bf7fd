import { describe, expect, it, vi } from "vitest";
import { completeSignIn, SignInRefused, type Callback } from "./oidc";
import type { OidcConfig } from "./signInConfig";

const CONFIG: OidcConfig = {
  authority: "https://login.example.com/realms/acme",
  clientId: "mentorship-web",
  scope: "openid profile email",
};

let calls = 0;

/** A distinct callback URL per test: a URL is finished once. */
function callbackUrl(): string {
  calls += 1;
  return `http://app.example.com/auth/callback?code=c-${calls}&state=s-${calls}`;
}

function provider(accessToken = "access-1"): Callback & { urls: string[] } {
  const urls: string[] = [];
  return {
    urls,
    signinRedirectCallback: vi.fn(async (url?: string) => {
      urls.push(url ?? "");
      return { access_token: accessToken } as Awaited<
        ReturnType<Callback["signinRedirectCallback"]>
      >;
    }),
  };
}

function gateway(body: unknown, status = 200): typeof fetch & { seen: Request[] } {
  const seen: Request[] = [];
  const fetcher = (async (input: RequestInfo | URL, init?: RequestInit) => {
    seen.push(new Request(new URL(String(input), "http://app.example.com"), init));
    return new Response(JSON.stringify(body), { status });
  }) as typeof fetch & { seen: Request[] };
  fetcher.seen = seen;
  return fetcher;
}

const me = (roles: string[], name: string | null = "Ada Lovelace") => ({
  data: { me: { userId: "ada", name, roles } },
});

describe("finishing a sign-in", () => {
  it("exchanges the code, asks the gateway who this is with the access token, and starts a session", async () => {
    const url = callbackUrl();
    const idp = provider("the-access-token");
    const api = gateway(me(["MENTEE", "MENTOR"]));

    const session = await completeSignIn(url, CONFIG, idp, api);

    expect(idp.urls).toEqual([url]);
    expect(api.seen).toHaveLength(1);
    expect(api.seen[0]!.headers.get("Authorization")).toBe("Bearer the-access-token");
    expect(new URL(api.seen[0]!.url).pathname).toBe("/graphql");
    expect(await api.seen[0]!.json()).toMatchObject({ operationName: "SignedInAs" });
    expect(session).toEqual({
      token: "the-access-token",
      userId: "ada",
      name: "Ada Lovelace",
      role: "mentor",
      oidc: CONFIG,
    });
  });

  it("chooses admin before mentor before mentee, and names someone without a name by their id", async () => {
    const session = await completeSignIn(
      callbackUrl(),
      CONFIG,
      provider(),
      gateway(me(["MENTEE", "ADMIN"], null)),
    );

    expect(session.role).toBe("admin");
    expect(session.name).toBe("ada");
  });

  it("finishes a callback once though React runs the effect twice", async () => {
    const url = callbackUrl();
    const idp = provider();
    const api = gateway(me(["MENTEE"]));

    const [first, second] = await Promise.all([
      completeSignIn(url, CONFIG, idp, api),
      completeSignIn(url, CONFIG, idp, api),
    ]);

    expect(second).toBe(first);
    expect(idp.signinRedirectCallback).toHaveBeenCalledTimes(1);
    expect(api.seen).toHaveLength(1);
  });

  it("is refused when the gateway refuses the token", async () => {
    const refusal = {
      data: null,
      errors: [{ message: "invalid token: bad audience", extensions: { code: "UNAUTHENTICATED" } }],
    };

    const done = completeSignIn(callbackUrl(), CONFIG, provider(), gateway(refusal));

    await expect(done).rejects.toBeInstanceOf(SignInRefused);
    await expect(done).rejects.toThrow("refused");
  });

  it("is refused for someone without a role on the platform", async () => {
    const done = completeSignIn(callbackUrl(), CONFIG, provider(), gateway(me([])));

    await expect(done).rejects.toThrow(new SignInRefused("noRole"));
  });

  it("fails when the provider refuses the code, without asking the gateway", async () => {
    const idp: Callback = {
      signinRedirectCallback: vi.fn(async () => {
        throw new Error("invalid_grant");
      }),
    };
    const api = gateway(me(["MENTEE"]));

    await expect(completeSignIn(callbackUrl(), CONFIG, idp, api)).rejects.toThrow("invalid_grant");
    expect(api.seen).toHaveLength(0);
  });

  it("fails when the gateway cannot be reached", async () => {
    const done = completeSignIn(callbackUrl(), CONFIG, provider(), gateway({}, 502));

    await expect(done).rejects.toThrow("HTTP 502");
    await expect(done).rejects.not.toBeInstanceOf(SignInRefused);
  });
});

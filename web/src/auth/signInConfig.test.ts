import { describe, expect, it } from "vitest";
import { parseSignInConfig, readSignInConfig } from "./signInConfig";

function answering(status: number, body: unknown): typeof fetch {
  return (async (input: RequestInfo | URL) => {
    expect(String(input)).toBe("/auth/config");
    return new Response(JSON.stringify(body), { status });
  }) as typeof fetch;
}

describe("the sign-in configuration", () => {
  it("is read from the gateway at run time", async () => {
    const oidc = {
      mode: "oidc",
      authority: "https://login.example.com/realms/acme",
      clientId: "mentorship-web",
      scope: "openid profile email",
    };

    expect(await readSignInConfig(answering(200, oidc))).toEqual(oidc);
    expect(await readSignInConfig(answering(200, { mode: "dev" }))).toEqual({ mode: "dev" });
    expect(await readSignInConfig(answering(200, { mode: "none" }))).toEqual({ mode: "none" });
  });

  it("keeps only what the app uses", () => {
    const read = parseSignInConfig({
      mode: "oidc",
      authority: "https://idp.example.com",
      clientId: "web",
      scope: "openid",
      secret: "never used",
    });

    expect(read).toEqual({
      mode: "oidc",
      authority: "https://idp.example.com",
      clientId: "web",
      scope: "openid",
    });
  });

  it.each([
    null,
    "oidc",
    [],
    {},
    { mode: "saml" },
    { mode: "oidc", authority: "https://idp.example.com", clientId: "web" },
    { mode: "oidc", authority: "", clientId: "web", scope: "openid" },
    { mode: "oidc", authority: "https://idp.example.com", clientId: 7, scope: "openid" },
  ])("refuses an answer of another shape: %j", (answer) => {
    expect(() => parseSignInConfig(answer)).toThrow(/cannot be read/);
  });

  it("fails when the gateway does not answer it", async () => {
    await expect(readSignInConfig(answering(502, {}))).rejects.toThrow("HTTP 502");
  });
});

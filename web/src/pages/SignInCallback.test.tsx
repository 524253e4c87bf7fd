import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter, Route, Routes } from "react-router";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { SessionProvider, useSession } from "../auth/session";
import "../i18n";
import { SignIn } from "./SignIn";
import { SignInCallback } from "./SignInCallback";

const oidc = vi.hoisted(() => ({
  completeSignIn: vi.fn(),
  startSignIn: vi.fn(),
}));

vi.mock("../auth/oidc", async (actual) => ({
  ...(await actual<typeof import("../auth/oidc")>()),
  completeSignIn: oidc.completeSignIn,
  startSignIn: oidc.startSignIn,
}));

const CONFIG = {
  mode: "oidc",
  authority: "https://login.example.com/realms/acme",
  clientId: "mentorship-web",
  scope: "openid profile email",
};

function Who() {
  const { session } = useSession();
  return <p>{session ? `signed in as ${session.userId} (${session.role})` : "signed out"}</p>;
}

function at(path: string) {
  return render(
    <SessionProvider>
      <Who />
      <MemoryRouter initialEntries={[path]}>
        <Routes>
          <Route path="/auth/callback" element={<SignInCallback />} />
          <Route path="*" element={<SignIn />} />
        </Routes>
      </MemoryRouter>
    </SessionProvider>,
  );
}

function serving(config: unknown) {
  vi.stubGlobal(
    "fetch",
    vi.fn(async (input: RequestInfo | URL) =>
      String(input) === "/auth/config"
        ? new Response(JSON.stringify(config))
        : new Response("not found", { status: 404 }),
    ),
  );
}

beforeEach(() => {
  localStorage.clear();
  localStorage.setItem("mentorship.language", "en");
});

afterEach(() => {
  vi.unstubAllGlobals();
  oidc.completeSignIn.mockReset();
  oidc.startSignIn.mockReset();
});

describe("signing in with a company account", () => {
  it("offers the company's identity provider when the gateway names one", async () => {
    serving(CONFIG);
    oidc.startSignIn.mockResolvedValue(undefined);
    at("/");

    await userEvent.click(
      await screen.findByRole("button", { name: "Sign in with your company account" }),
    );

    expect(oidc.startSignIn).toHaveBeenCalledWith(
      expect.objectContaining({
        authority: CONFIG.authority,
        clientId: CONFIG.clientId,
        scope: CONFIG.scope,
      }),
    );
  });

  it("says so when the identity provider cannot be reached", async () => {
    serving(CONFIG);
    oidc.startSignIn.mockRejectedValue(new TypeError("Failed to fetch"));
    at("/");

    await userEvent.click(await screen.findByRole("button", { name: /company account/ }));

    expect((await screen.findByRole("alert")).textContent).toContain("cannot be reached");
  });

  it("says so when no sign-in is configured", async () => {
    serving({ mode: "none" });
    at("/");

    expect((await screen.findByRole("alert")).textContent).toContain("No sign-in is configured");
    expect(screen.queryByRole("button", { name: /company account/ })).toBeNull();
  });

  it("starts the session on the callback", async () => {
    serving(CONFIG);
    oidc.completeSignIn.mockResolvedValue({
      token: "t",
      userId: "ada",
      name: "Ada",
      role: "mentee",
      oidc: CONFIG,
    });
    at("/auth/callback?code=abc&state=xyz");

    expect(await screen.findByText("signed in as ada (mentee)")).toBeTruthy();
    expect(oidc.completeSignIn.mock.calls[0]![0]).toBe(
      `${location.origin}/auth/callback?code=abc&state=xyz`,
    );
  });

  it("tells the user a refused sign-in and offers to sign in again", async () => {
    const { SignInRefused } = await import("../auth/oidc");
    serving(CONFIG);
    oidc.completeSignIn.mockRejectedValue(new SignInRefused("noRole"));
    at("/auth/callback?code=abc&state=xyz");

    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("Your account has no role on this platform yet");
    expect(screen.getByText("signed out")).toBeTruthy();

    await userEvent.click(screen.getByRole("button", { name: "Sign in again" }));

    expect(await screen.findByRole("button", { name: /company account/ })).toBeTruthy();
  });

  it("tells the user a sign-in that did not complete", async () => {
    serving(CONFIG);
    oidc.completeSignIn.mockRejectedValue(new Error("No matching state found in storage"));
    at("/auth/callback?error=access_denied&state=xyz");

    expect((await screen.findByRole("alert")).textContent).toContain("did not complete");
  });
});

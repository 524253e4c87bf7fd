import { act, render, screen } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { useTokenRenewal } from "./renewal";
import { SessionProvider, useSession } from "./session";

type Loaded = (user: { access_token: string }) => void;

const idp = vi.hoisted(() => ({
  listeners: [] as Loaded[],
  getUser: vi.fn(async () => null),
}));

vi.mock("./oidc", async (actual) => ({
  ...(await actual<typeof import("./oidc")>()),
  userManager: vi.fn(async () => ({
    events: {
      addUserLoaded: (listener: Loaded) => {
        idp.listeners.push(listener);
        return () => idp.listeners.splice(idp.listeners.indexOf(listener), 1);
      },
    },
    getUser: idp.getUser,
  })),
}));

const OIDC = {
  authority: "https://login.example.com/realms/acme",
  clientId: "mentorship-web",
  scope: "openid profile email",
};

function Token() {
  useTokenRenewal();
  const { session, forget } = useSession();
  return (
    <>
      <p>{session ? `token ${session.token}` : "signed out"}</p>
      <button type="button" onClick={forget}>
        forget
      </button>
    </>
  );
}

function signedIn(session: object) {
  localStorage.setItem(
    "mentorship.session",
    JSON.stringify({ token: "first", userId: "ada", name: "Ada", role: "mentee", ...session }),
  );
  render(
    <SessionProvider>
      <Token />
    </SessionProvider>,
  );
}

beforeEach(() => localStorage.clear());

afterEach(() => {
  idp.listeners.length = 0;
  idp.getUser.mockClear();
});

describe("renewing the token of someone signed in at an identity provider", () => {
  it("gives the session the renewed access token and keeps it", async () => {
    signedIn({ oidc: OIDC });
    await vi.waitFor(() => expect(idp.listeners).toHaveLength(1));
    expect(idp.getUser).toHaveBeenCalled();

    act(() => idp.listeners[0]!({ access_token: "renewed" }));

    expect(screen.getByText("token renewed")).toBeTruthy();
    expect(JSON.parse(localStorage.getItem("mentorship.session")!)).toMatchObject({
      token: "renewed",
      userId: "ada",
      oidc: OIDC,
    });
  });

  it("stops listening once the session is forgotten", async () => {
    signedIn({ oidc: OIDC });
    await vi.waitFor(() => expect(idp.listeners).toHaveLength(1));

    act(() => screen.getByRole("button", { name: "forget" }).click());

    expect(screen.getByText("signed out")).toBeTruthy();
    expect(idp.listeners).toHaveLength(0);
  });

  it("does nothing for the dev profile's sign-in", async () => {
    signedIn({});

    await act(async () => {});

    expect(idp.getUser).not.toHaveBeenCalled();
    expect(screen.getByText("token first")).toBeTruthy();
  });
});

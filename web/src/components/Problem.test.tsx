import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { CombinedError } from "urql";
import { GraphQLError } from "graphql";
import { describe, expect, it } from "vitest";
import { SessionProvider, useSession } from "../auth/session";
import "../i18n";
import { MutationProblem, Problem, RetryContext } from "./Problem";

function Who() {
  const { session } = useSession();
  return <p>{session ? `signed in as ${session.userId}` : "signed out"}</p>;
}

describe("MutationProblem", () => {
  it("shows a validation error's message and each problem's field", () => {
    render(
      <MutationProblem
        result={{
          __typename: "ValidationError",
          message: "invalid input",
          problems: [{ path: ["input", "name"], message: "too short" }],
        }}
      />,
    );

    const alert = screen.getByRole("alert");
    expect(alert.textContent).toContain("Please check:");
    expect(alert.textContent).toContain("invalid input");
    expect(alert.textContent).toContain("input.name: too short");
  });

  it("shows nothing for a result that is not an error", () => {
    const { container } = render(
      <MutationProblem result={{ __typename: "Program", id: "pg_1" }} />,
    );

    expect(container.textContent).toBe("");
  });
});

describe("Problem", () => {
  it("offers to try again when the server cannot be reached, where the app can", async () => {
    let retried = 0;
    render(
      <SessionProvider>
        <RetryContext.Provider value={() => (retried += 1)}>
          <Problem error={new CombinedError({ networkError: new Error("Failed to fetch") })} />
        </RetryContext.Provider>
      </SessionProvider>,
    );

    await userEvent.click(screen.getByRole("button", { name: "Try again" }));

    expect(retried).toBe(1);
  });

  it("says the server cannot be reached on a network error", () => {
    render(
      <SessionProvider>
        <Problem error={new CombinedError({ networkError: new Error("Failed to fetch") })} />
      </SessionProvider>,
    );

    expect(screen.getByRole("alert").textContent).toContain("cannot be reached");
  });

  it("shows each GraphQL error with its code", () => {
    const error = new CombinedError({
      graphQLErrors: [new GraphQLError("you may not", { extensions: { code: "FORBIDDEN" } })],
    });
    render(
      <SessionProvider>
        <Problem error={error} />
      </SessionProvider>,
    );

    expect(screen.getByRole("alert").textContent).toBe("you may not (FORBIDDEN)");
  });

  it("offers to sign in again when the session expired, and signs out", async () => {
    localStorage.setItem(
      "mentorship.session",
      JSON.stringify({ token: "t", userId: "u-ada", name: "Ada", role: "mentee" }),
    );
    const error = new CombinedError({
      graphQLErrors: [new GraphQLError("expired", { extensions: { code: "UNAUTHENTICATED" } })],
    });
    render(
      <SessionProvider>
        <Who />
        <Problem error={error} />
      </SessionProvider>,
    );
    expect(screen.getByText("signed in as u-ada")).toBeTruthy();

    await userEvent.click(screen.getByRole("button", { name: "Sign in again" }));

    expect(screen.getByText("signed out")).toBeTruthy();
    expect(localStorage.getItem("mentorship.session")).toBeNull();
  });
});

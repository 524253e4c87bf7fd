import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Provider } from "urql";
import { describe, expect, it } from "vitest";
import { SessionProvider } from "../../auth/session";
import "../../i18n";
import { fakeClient, signedInAs } from "../../test-client";
import { Settings } from "./Settings";

const program = {
  id: "pg_1",
  name: "Pilot",
  description: "",
  status: "OPEN" as const,
  proposalExpiryDays: 7,
  defaultMentorCapacity: 3,
  mutualAcceptance: false,
  selfErasure: false,
};

describe("the program's settings", () => {
  it("let participants erase their own data, sending that setting only", async () => {
    const { client, asked } = fakeClient({
      UpdateProgram: () => ({
        updateProgram: { __typename: "Program", ...program, selfErasure: true },
      }),
    });
    signedInAs("u-admin", "admin");
    render(
      <SessionProvider>
        <Provider value={client}>
          <Settings program={program} />
        </Provider>
      </SessionProvider>,
    );
    const allowed = screen.getByLabelText(
      "Participants may erase their own data (an admin of the program always can)",
    );
    expect(allowed).toHaveProperty("checked", false);

    await userEvent.click(allowed);
    await userEvent.click(screen.getByRole("button", { name: "Save the settings" }));

    expect(asked).toEqual([
      { name: "UpdateProgram", variables: { id: "pg_1", input: { selfErasure: true } } },
    ]);
  });
});

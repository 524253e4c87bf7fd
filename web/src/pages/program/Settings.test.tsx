import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Provider, type Client } from "urql";
import { describe, expect, it } from "vitest";
import { SessionProvider } from "../../auth/session";
import "../../i18n";
import { answeringClient, type Sent } from "../../test-client";
import { Settings, type ProgramSettings } from "./Settings";

const program: ProgramSettings = {
  id: "pg-1",
  name: "Pilot",
  description: "The first cohort",
  status: "DRAFT",
  proposalExpiryDays: 7,
  defaultMentorCapacity: 3,
  mutualAcceptance: false,
  selfErasure: false,
};

function updated(input: Record<string, unknown>) {
  return { updateProgram: { __typename: "Program", ...program, ...input } };
}

function renderWith(shown: ProgramSettings, client: Client) {
  localStorage.setItem("mentorship.language", "en");
  render(
    <SessionProvider>
      <Provider value={client}>
        <Settings program={shown} />
      </Provider>
    </SessionProvider>,
  );
}

describe("a program's settings", () => {
  it("sends only what was changed, and says it was saved", async () => {
    const sent: Sent = [];
    renderWith(
      program,
      answeringClient((_, v) => updated(v.input as Record<string, unknown>), sent),
    );
    const form = screen.getByRole("form", { name: "Edit the program" });
    const save = within(form).getByRole("button", { name: "Save the settings" });
    expect(save).toHaveProperty("disabled", true);

    await userEvent.clear(within(form).getByLabelText("Name"));
    await userEvent.type(within(form).getByLabelText("Name"), "Spring pilot");
    await userEvent.click(within(form).getByLabelText(/^The mentee accepts a proposal too/));
    await userEvent.click(save);

    expect(sent).toEqual([
      {
        name: "UpdateProgram",
        variables: { id: "pg-1", input: { name: "Spring pilot", mutualAcceptance: true } },
      },
    ]);
    expect(within(form).getByRole("status").textContent).toBe("Saved.");
  });

  it("opens a draft program", async () => {
    const sent: Sent = [];
    renderWith(
      program,
      answeringClient(() => updated({ status: "OPEN" }), sent),
    );

    await userEvent.click(screen.getByRole("button", { name: "Open the program" }));

    expect(sent).toEqual([
      { name: "UpdateProgram", variables: { id: "pg-1", input: { status: "OPEN" } } },
    ]);
  });

  it("closes an open program once the warning is confirmed", async () => {
    const sent: Sent = [];
    renderWith(
      { ...program, status: "OPEN" },
      answeringClient(() => updated({ status: "CLOSED" }), sent),
    );
    expect(screen.queryByRole("button", { name: "Open the program" })).toBeNull();

    await userEvent.click(screen.getByRole("button", { name: "Close the program" }));
    const warning = screen.getByRole("alertdialog");
    expect(warning.textContent).toContain("It cannot be undone.");
    expect(sent).toEqual([]);
    await userEvent.click(within(warning).getByRole("button", { name: "Yes, close it" }));

    expect(sent).toEqual([
      { name: "UpdateProgram", variables: { id: "pg-1", input: { status: "CLOSED" } } },
    ]);
    expect(screen.queryByRole("alertdialog")).toBeNull();
  });

  it("keeps the program open when the warning is declined", async () => {
    const sent: Sent = [];
    renderWith(
      { ...program, status: "OPEN" },
      answeringClient(() => undefined, sent),
    );

    await userEvent.click(screen.getByRole("button", { name: "Close the program" }));
    await userEvent.click(screen.getByRole("button", { name: "Keep it" }));

    expect(sent).toEqual([]);
    expect(screen.queryByRole("alertdialog")).toBeNull();
  });

  it("tells why a program with an open proposal cannot be closed", async () => {
    const refused = {
      updateProgram: {
        __typename: "Conflict",
        message:
          "program pg-1 has open proposals (e.g. m-1): each is accepted, declined or cancelled first",
        currentState: null,
      },
    };
    renderWith(
      { ...program, status: "OPEN" },
      answeringClient(() => refused),
    );

    await userEvent.click(screen.getByRole("button", { name: "Close the program" }));
    await userEvent.click(screen.getByRole("button", { name: "Yes, close it" }));

    const problem = await screen.findByRole("alert");
    expect(problem.textContent).toContain("Not possible now:");
    expect(problem.textContent).toContain("has open proposals");
    expect(screen.getByText("Open", { selector: "strong" })).toBeTruthy();
  });
});

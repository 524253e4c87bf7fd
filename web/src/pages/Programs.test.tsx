import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter } from "react-router";
import { Provider, type Client } from "urql";
import { describe, expect, it } from "vitest";
import { SessionProvider } from "../auth/session";
import "../i18n";
import { answeringClient, type Sent } from "../test-client";
import { Programs } from "./Programs";

const listed = {
  programs: {
    __typename: "ProgramConnection",
    pageInfo: { __typename: "PageInfo", hasNextPage: true, endCursor: "pg-1" },
    nodes: [
      {
        __typename: "Program",
        id: "pg-1",
        name: "Pilot",
        status: "OPEN",
        createdAt: "2026-11-01T09:00:00Z",
      },
    ],
  },
  learningPaths: [{ __typename: "LearningPath", id: "path-1", title: "The path" }],
};

function renderWith(client: Client) {
  localStorage.setItem("mentorship.language", "en");
  render(
    <SessionProvider>
      <Provider value={client}>
        <MemoryRouter>
          <Programs />
        </MemoryRouter>
      </Provider>
    </SessionProvider>,
  );
}

describe("creating a program", () => {
  it("starts it open by default, with the mentor's acceptance alone", async () => {
    const sent: Sent = [];
    renderWith(answeringClient((name) => (name === "Programs" ? listed : undefined), sent));
    const form = screen.getByRole("form", { name: "Create a program" });

    await userEvent.type(within(form).getByLabelText("Name"), "Autumn");
    await userEvent.click(within(form).getByRole("button", { name: "Create the program" }));

    expect(sent.at(-1)?.variables.input).toMatchObject({
      name: "Autumn",
      learningPathId: "path-1",
      status: "OPEN",
      mutualAcceptance: false,
    });
  });

  it("may start it as a draft, with the mentee accepting too", async () => {
    const sent: Sent = [];
    renderWith(answeringClient((name) => (name === "Programs" ? listed : undefined), sent));
    const form = screen.getByRole("form", { name: "Create a program" });

    await userEvent.type(within(form).getByLabelText("Name"), "Autumn");
    await userEvent.click(within(form).getByRole("radio", { name: /^Draft/ }));
    await userEvent.click(within(form).getByLabelText(/^The mentee accepts a proposal too/));
    await userEvent.click(within(form).getByRole("button", { name: "Create the program" }));

    expect(sent.at(-1)).toMatchObject({
      name: "CreateProgram",
      variables: { input: { name: "Autumn", status: "DRAFT", mutualAcceptance: true } },
    });
  });
});

describe("the programs I administer", () => {
  it("are listed a page at a time", async () => {
    const sent: Sent = [];
    const later = {
      ...listed,
      programs: {
        __typename: "ProgramConnection",
        pageInfo: { __typename: "PageInfo", hasNextPage: false, endCursor: null },
        nodes: [{ ...listed.programs.nodes[0], id: "pg-2", name: "Second" }],
      },
    };
    renderWith(
      answeringClient(
        (name, v) => (name !== "Programs" ? undefined : v.after === "pg-1" ? later : listed),
        sent,
      ),
    );
    expect(screen.getByRole("link", { name: "Pilot" })).toBeTruthy();

    await userEvent.click(screen.getByRole("button", { name: "Next page" }));

    expect(sent.at(-1)).toEqual({ name: "Programs", variables: { after: "pg-1" } });
    expect(screen.getByRole("link", { name: "Second" }).getAttribute("href")).toBe(
      "/programs/pg-2",
    );
    expect(screen.queryByRole("link", { name: "Pilot" })).toBeNull();
  });
});

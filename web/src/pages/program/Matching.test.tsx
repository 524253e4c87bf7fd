import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter } from "react-router";
import { Provider, type Client } from "urql";
import { describe, expect, it } from "vitest";
import { SessionProvider } from "../../auth/session";
import "../../i18n";
import { answeringClient, type Sent } from "../../test-client";
import { Matching } from "./Matching";

const person = (id: string, displayName: string) => ({
  __typename: "Participant",
  id,
  displayName,
});

const page = (hasNextPage: boolean, endCursor: string | null) => ({
  __typename: "PageInfo",
  hasNextPage,
  endCursor,
});

function blocking(mentee: string, mentor: string, reason: string) {
  return {
    __typename: "BlockingPair",
    menteeId: mentee,
    mentorId: mentor,
    score: 71.25,
    menteeScore: 60,
    mentorWeakest: 55,
    reason,
  };
}

function report(variables: Record<string, unknown>) {
  const laterBlocking = variables.blockingAfter === "b-1";
  return {
    matchingRun: {
      __typename: "MatchingRun",
      id: "run-1",
      programId: "pg-1",
      objective: "BEST_FIT",
      preview: false,
      ranAt: "2026-12-01T09:00:00Z",
      matchedCount: 1,
      meanScore: 82.5,
      blockingPairs: 2,
      unmatched: [
        { __typename: "UnmatchedMentee", menteeId: "me-2", reason: "no mentor has a free place" },
      ],
      pairs: {
        __typename: "MatchedPairConnection",
        pageInfo: page(false, null),
        nodes: [
          {
            __typename: "MatchedPair",
            menteeId: "me-1",
            mentorId: "mo-1",
            score: 82.5,
            matchId: "m-1",
            breakdown: [
              {
                __typename: "CriterionScore",
                criterion: "GOAL_COVERAGE",
                points: 40,
                reason: "covers 2 of 2 goals",
              },
              {
                __typename: "CriterionScore",
                criterion: "TIMEZONE_OVERLAP",
                points: 22.5,
                reason: "3 hours of working day in common",
              },
            ],
            mentee: person("me-1", "Mia Mentee"),
            mentor: person("mo-1", "Omar Mentor"),
          },
        ],
      },
      blockingPairList: {
        __typename: "BlockingPairConnection",
        pageInfo: laterBlocking ? page(false, null) : page(true, "b-1"),
        nodes: laterBlocking
          ? [blocking("me-2", "mo-2", "both prefer each other to their report")]
          : [blocking("me-2", "mo-1", "Omar scores Noor above his weakest mentee")],
      },
    },
  };
}

function answer(name: string, variables: Record<string, unknown>) {
  if (name === "MatchingRuns") {
    return {
      matchingRuns: { __typename: "MatchingRunConnection", pageInfo: page(false, null), nodes: [] },
      program: { __typename: "Program", id: "pg-1", lastMatchingRun: { id: "run-1" } },
    };
  }
  if (name === "MatchingReport") return report(variables);
  if (name === "ReportNames") {
    return {
      nodes: [
        person("me-2", "Noor Mentee"),
        person("mo-1", "Omar Mentor"),
        person("mo-2", "Paz Mentor"),
        { __typename: "Match", id: "m-1", status: "PROPOSED" },
      ],
    };
  }
  return undefined;
}

function renderWith(client: Client) {
  localStorage.setItem("mentorship.language", "en");
  render(
    <SessionProvider>
      <Provider value={client}>
        <MemoryRouter initialEntries={["/programs/pg-1/matching?run=run-1"]}>
          <Matching programId="pg-1" />
        </MemoryRouter>
      </Provider>
    </SessionProvider>,
  );
}

const shown = () => screen.getByRole("region", { name: /^Matching report · / });

describe("a matching report", () => {
  it("explains each pair's score, criterion by criterion, and offers to cancel a waiting proposal", async () => {
    renderWith(answeringClient(answer));

    const pair = within(shown())
      .getAllByRole("listitem")
      .find((li) => within(li).queryByRole("heading", { name: "Mia Mentee with Omar Mentor" }));
    expect(pair).toBeTruthy();
    expect(pair!.textContent).toContain("score 82.5");
    expect(within(pair!).getByText("proposed")).toBeTruthy();
    await userEvent.click(within(pair!).getByText("Why this mentor"));
    const why = within(pair!)
      .getAllByRole("listitem")
      .map((li) => li.textContent);
    expect(why).toEqual([
      "Goals covered: 40.0 · covers 2 of 2 goals",
      "Time zones: 22.5 · 3 hours of working day in common",
    ]);
    expect(
      within(pair!).getByRole("form", {
        name: "Cancel the proposal of Mia Mentee with Omar Mentor",
      }),
    ).toBeTruthy();
  });

  it("names the unmatched mentees and the blocking pairs, with the reasons", () => {
    renderWith(answeringClient(answer));

    const unmatched = within(shown()).getByRole("list", { name: "Unmatched mentees" });
    expect(unmatched.textContent).toBe("Noor Mentee: no mentor has a free place");
    const blockingPairs = within(shown()).getByRole("list", { name: "Blocking pairs" });
    expect(
      within(blockingPairs)
        .getAllByRole("listitem")
        .map((li) => li.textContent),
    ).toEqual(["Noor Mentee with Omar Mentor (71.3): Omar scores Noor above his weakest mentee"]);
  });

  it("pages through the blocking pairs, the pairs staying on their page", async () => {
    const sent: Sent = [];
    renderWith(answeringClient(answer, sent));

    const pages = within(shown()).getAllByRole("navigation");
    expect(pages.map((p) => p.getAttribute("aria-label"))).toEqual(["Pages: Blocking pairs"]);
    await userEvent.click(within(pages[0]!).getByRole("button", { name: "Next page" }));

    expect(sent.filter((s) => s.name === "MatchingReport").at(-1)?.variables).toEqual({
      id: "run-1",
      after: null,
      blockingAfter: "b-1",
    });
    const blockingPairs = within(shown()).getByRole("list", { name: "Blocking pairs" });
    expect(blockingPairs.textContent).toContain("Noor Mentee with Paz Mentor");
    expect(blockingPairs.textContent).not.toContain("Omar Mentor");
    expect(within(shown()).getByRole("button", { name: "Previous page" })).toBeTruthy();
  });
});

import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Provider } from "urql";
import { describe, expect, it } from "vitest";
import { ParticipationProvider } from "../api/participation";
import { SessionProvider } from "../auth/session";
import "../i18n";
import { answeringClient, type Sent } from "../test-client";
import { Proposals } from "./Proposals";

const participations = {
  me: {
    __typename: "Me",
    userId: "u-mo",
    participations: [
      {
        __typename: "Participation",
        participantId: "mo-1",
        roles: ["MENTOR"],
        status: "ACTIVE",
        participant: { __typename: "Participant", id: "mo-1", displayName: "Omar", language: "EN" },
        program: {
          __typename: "Program",
          id: "pg-1",
          name: "Pilot",
          status: "OPEN",
          mutualAcceptance: false,
        },
      },
    ],
  },
};

function proposal(n: number) {
  return {
    __typename: "Match",
    id: `m-${n}`,
    status: "PROPOSED",
    score: 80,
    reasons: [`reason ${n}`],
    expiresAt: "2099-01-01T00:00:00Z",
    mentee: { __typename: "MatchParty", participantId: `me-${n}`, name: `Mentee ${n}` },
    menteeMustAccept: false,
    menteeAcceptedAt: null,
    mentorAcceptedAt: null,
    mentor: { __typename: "MatchParty", participantId: "mo-1" },
  };
}

function answer(name: string, variables: Record<string, unknown>) {
  if (name === "MyParticipations") return participations;
  if (name !== "Proposals") return undefined;
  const later = variables.after === "c-20";
  return {
    matches: {
      __typename: "MatchConnection",
      pageInfo: { __typename: "PageInfo", hasNextPage: !later, endCursor: later ? null : "c-20" },
      nodes: [proposal(later ? 21 : 1)],
    },
  };
}

describe("the proposals waiting for a mentor", () => {
  it("are asked for in the chosen program, a page at a time", async () => {
    const sent: Sent = [];
    localStorage.setItem("mentorship.language", "en");
    localStorage.setItem(
      "mentorship.session",
      JSON.stringify({ token: "t", userId: "u-mo", name: "Omar", role: "mentor" }),
    );
    render(
      <SessionProvider>
        <Provider value={answeringClient(answer, sent)}>
          <ParticipationProvider>
            <Proposals />
          </ParticipationProvider>
        </Provider>
      </SessionProvider>,
    );
    expect(screen.getByRole("heading", { name: "Mentee 1" })).toBeTruthy();
    expect(sent.find((s) => s.name === "Proposals")?.variables).toEqual({
      programId: "pg-1",
      after: null,
    });

    await userEvent.click(screen.getByRole("button", { name: "Next page" }));

    expect(sent.at(-1)).toEqual({
      name: "Proposals",
      variables: { programId: "pg-1", after: "c-20" },
    });
    expect(screen.getByRole("heading", { name: "Mentee 21" })).toBeTruthy();
    expect(screen.queryByRole("heading", { name: "Mentee 1" })).toBeNull();
  });
});

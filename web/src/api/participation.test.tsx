import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Provider } from "urql";
import { afterEach, describe, expect, it } from "vitest";
import { SessionProvider } from "../auth/session";
import i18n, { setLanguage } from "../i18n";
import { answeringClient, type Sent } from "../test-client";
import { ParticipationProvider, useProfileLanguage } from "./participation";

function participation(id: string, language: "EN" | "FR", status = "ACTIVE") {
  return {
    __typename: "Participation",
    participantId: id,
    roles: ["MENTEE"],
    status,
    participant: { __typename: "Participant", id, displayName: "Mia", language },
    program: {
      __typename: "Program",
      id: `pg-${id}`,
      name: "Pilot",
      status: "OPEN",
      mutualAcceptance: false,
    },
  };
}

function Chooser() {
  const choose = useProfileLanguage();
  return (
    <button type="button" onClick={() => choose("fr")}>
      French
    </button>
  );
}

function renderWith(participations: unknown[], sent: Sent = []) {
  localStorage.setItem(
    "mentorship.session",
    JSON.stringify({ token: "t", userId: "u-1", name: "Mia", role: "mentee" }),
  );
  const answer = (name: string) =>
    name === "MyParticipations"
      ? { me: { __typename: "Me", userId: "u-1", participations } }
      : undefined;
  render(
    <SessionProvider>
      <Provider value={answeringClient(answer, sent)}>
        <ParticipationProvider>
          <Chooser />
        </ParticipationProvider>
      </Provider>
    </SessionProvider>,
  );
}

afterEach(() => {
  setLanguage("en");
  localStorage.clear();
});

describe("the language of the signed-in person's profile", () => {
  it("is the app's language when none was chosen in this browser, without keeping it there", () => {
    localStorage.removeItem("mentorship.language");
    renderWith([participation("p-1", "FR")]);

    expect(i18n.language).toBe("fr");
    expect(localStorage.getItem("mentorship.language")).toBeNull();
  });

  it("gives way to the language chosen in this browser", () => {
    localStorage.setItem("mentorship.language", "en");
    renderWith([participation("p-1", "FR")]);

    expect(i18n.language).toBe("en");
  });

  it("follows a choice: on every participation still taking part that has another language", async () => {
    localStorage.setItem("mentorship.language", "en");
    const sent: Sent = [];
    renderWith(
      [
        participation("p-1", "EN"),
        participation("p-2", "FR"),
        participation("p-3", "EN", "WITHDRAWN"),
      ],
      sent,
    );

    await userEvent.click(screen.getByRole("button", { name: "French" }));

    expect(i18n.language).toBe("fr");
    expect(localStorage.getItem("mentorship.language")).toBe("fr");
    expect(sent.filter((s) => s.name === "UpdateLanguage")).toEqual([
      { name: "UpdateLanguage", variables: { id: "p-1", language: "FR" } },
    ]);
  });
});

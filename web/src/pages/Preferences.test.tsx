import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Provider } from "urql";
import { describe, expect, it } from "vitest";
import { ParticipationProvider } from "../api/participation";
import { SessionProvider } from "../auth/session";
import { channelsOf, toggled, toInput } from "../components/KindChannels";
import "../i18n";
import { answeringClient, type Sent } from "../test-client";
import { Preferences } from "./Preferences";

const stored = {
  __typename: "NotificationPreferences",
  digest: "IMMEDIATE",
  digestHour: 8,
  timezone: null,
  email: null,
  webhookUrl: null,
  quietHours: null,
  channels: [{ __typename: "KindChannels", kind: "MATCH_PROPOSED", channels: ["IN_APP"] }],
};

function renderWith(sent: Sent) {
  const client = answeringClient(
    (name) =>
      name === "Preferences"
        ? { notificationPreferences: stored }
        : name === "MyParticipations"
          ? { me: { __typename: "Me", userId: "u-1", participations: [] } }
          : undefined,
    sent,
  );
  localStorage.setItem("mentorship.language", "en");
  localStorage.setItem(
    "mentorship.session",
    JSON.stringify({ token: "t", userId: "u-1", name: "Mia", role: "mentee" }),
  );
  render(
    <SessionProvider>
      <Provider value={client}>
        <ParticipationProvider>
          <Preferences />
        </ParticipationProvider>
      </Provider>
    </SessionProvider>,
  );
}

describe("the channels of each notification kind", () => {
  it("go by the service's default until chosen: in-app and e-mail, the webhook once a URL is set", () => {
    expect(channelsOf({}, "MATCH_ENDED", "")).toEqual(["IN_APP", "EMAIL"]);
    expect(channelsOf({}, "MATCH_ENDED", "https://hooks.example")).toEqual([
      "IN_APP",
      "EMAIL",
      "WEBHOOK",
    ]);
    expect(channelsOf({ MATCH_ENDED: ["IN_APP", "WEBHOOK"] }, "MATCH_ENDED", "")).toEqual([
      "IN_APP",
    ]);
  });

  it("keep in-app on every kind but the weekly digest, which in-app turns off entirely", () => {
    expect(toggled({}, "MATCH_ENDED", "IN_APP", "")).toEqual({});
    expect(toggled({}, "MATCH_ENDED", "EMAIL", "")).toEqual({ MATCH_ENDED: ["IN_APP"] });
    const off = toggled({}, "MENTOR_WEEKLY_DIGEST", "IN_APP", "");
    expect(off).toEqual({ MENTOR_WEEKLY_DIGEST: [] });
    expect(toggled(off, "MENTOR_WEEKLY_DIGEST", "EMAIL", "")).toEqual({
      MENTOR_WEEKLY_DIGEST: ["IN_APP", "EMAIL"],
    });
  });

  it("are sent for the kinds chosen only, never by webhook without a URL", () => {
    expect(toInput({ MATCH_ENDED: ["IN_APP", "WEBHOOK"] }, "")).toEqual([
      { kind: "MATCH_ENDED", channels: ["IN_APP"] },
    ]);
  });
});

describe("the preferences form", () => {
  it("sends the channels chosen per kind and the webhook URL, keeping the stored choices", async () => {
    const sent: Sent = [];
    renderWith(sent);

    await userEvent.click(screen.getByLabelText("Webhook URL (https://)"));
    await userEvent.paste("https://hooks.example/me");
    await userEvent.click(screen.getByText("Where each notification goes"));
    const webhook = screen.getByLabelText("Confidence dropped: Webhook");
    expect(webhook).toHaveProperty("checked", true);
    await userEvent.click(screen.getByLabelText("Confidence dropped: E-mail"));
    await userEvent.click(screen.getByLabelText("Your week with your mentees: In-app"));
    expect(screen.getByLabelText("Proposal: E-mail")).toHaveProperty("checked", false);
    expect(screen.getByLabelText("Proposal: In-app")).toHaveProperty("disabled", true);
    await userEvent.click(screen.getByRole("button", { name: "Save" }));

    const saved = sent.filter((s) => s.name === "SavePreferences");
    expect(saved).toHaveLength(1);
    expect(saved[0]!.variables).toMatchObject({
      input: {
        webhookUrl: "https://hooks.example/me",
        channels: [
          { kind: "MATCH_PROPOSED", channels: ["IN_APP"] },
          { kind: "PROGRESS_CONFIDENCE_DROPPED", channels: ["IN_APP", "WEBHOOK"] },
          { kind: "MENTOR_WEEKLY_DIGEST", channels: [] },
        ],
      },
    });
  });

  it("offers no webhook until there is a URL to call", async () => {
    renderWith([]);

    await userEvent.click(screen.getByText("Where each notification goes"));

    const webhook = screen.getByLabelText("Match ended: Webhook");
    expect(webhook).toHaveProperty("disabled", true);
    expect(webhook).toHaveProperty("checked", false);
  });
});

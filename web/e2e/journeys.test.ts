import { readFileSync } from "node:fs";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  accessibilityProblems,
  demo,
  launch,
  newPage,
  shoot,
  sidewaysOverflow,
  signInAs,
  signInWithToken,
} from "./browser";

let browser: Browser;

beforeAll(async () => {
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
});

async function badge(page: Page): Promise<number> {
  return Number(await page.getByTestId("inbox-badge").textContent());
}

/** Subscribed once the app has sent the subscription over its websocket. */
function subscribed(page: Page): Promise<void> {
  return new Promise((resolve) => {
    page.on("websocket", (socket) => {
      socket.on("framesent", (frame) => {
        if (String(frame.payload).includes('"type":"subscribe"')) resolve();
      });
    });
  });
}

describe("a mentee checks in with falling confidence; their mentor is alerted live", () => {
  it("shows the alert to the mentor as a toast and on the badge, without reloading", async () => {
    const { users } = demo();
    const [mentorContext, mentor] = await newPage(browser);
    const [menteeContext, mentee] = await newPage(browser, 375);
    try {
      const live = subscribed(mentor);
      await signInAs(mentor, users.mentor);
      await expect
        .poll(() => mentor.getByRole("heading", { name: "My mentees" }).isVisible())
        .toBe(true);
      await expect
        .poll(() => mentor.getByRole("table").getByRole("row").count())
        .toBeGreaterThan(1);
      await live;
      expect(await accessibilityProblems(mentor)).toEqual([]);
      await shoot(mentor, "mentor-dashboard");
      const before = await badge(mentor);

      const menteeName = await signInAs(mentee, users.mentee);
      await expect
        .poll(() => mentee.getByRole("heading", { name: "My learning path" }).isVisible())
        .toBe(true);
      await expect
        .poll(() => mentee.getByRole("heading", { name: "My mentor" }).isVisible())
        .toBe(true);
      await expect
        .poll(() => mentee.getByRole("listitem").filter({ hasText: "milestones" }).count())
        .toBeGreaterThan(0);
      expect(await accessibilityProblems(mentee)).toEqual([]);
      await shoot(mentee, "mentee-path");

      // a milestone done, with its evidence
      const lastModule = mentee
        .getByRole("listitem")
        .filter({ has: mentee.getByRole("heading", { name: "Knowing the limits" }) });
      await lastModule.getByText("Milestones", { exact: true }).click();
      const milestone = lastModule.getByRole("listitem").first();
      await milestone.getByLabel("Evidence").fill("Wrote down what I keep private.");
      await milestone.getByRole("button", { name: "Mark done" }).click();
      await expect.poll(() => milestone.getByText("Done.").isVisible()).toBe(true);
      await expect
        .poll(() => lastModule.getByText(/^[1-9]\d* of \d+ milestones/).isVisible())
        .toBe(true);

      // two check-ins on one module: confident, then lost, saying why (each: a level, then the
      // button)
      const form = mentee.getByRole("form", { name: "Check in" });
      await form.getByLabel("Module").selectOption("uses-for-my-job");
      const note = `I feel lost with my own case ${Date.now().toString(36)}.`;
      for (const level of ["5", "1"]) {
        await form.getByRole("radio", { name: new RegExp(`^${level} `) }).click();
        if (level === "1") await form.getByLabel("Note (optional)").fill(note);
        await form.getByRole("button", { name: "Check in" }).click();
        await expect.poll(() => form.getByText("Check-in recorded.").isVisible()).toBe(true);
      }
      await expect
        .poll(() => mentee.getByRole("listitem").filter({ hasText: "confidence 1/5" }).count())
        .toBeGreaterThan(0);

      // the mentor's page was not reloaded: the toast and the badge come over the websocket
      const toast = mentor.getByRole("region", { name: "New notifications" }).getByRole("status");
      const alert = toast.filter({ hasText: menteeName }).filter({ hasText: "Confidence dropped" });
      await expect.poll(() => alert.count(), { timeout: 30_000 }).toBeGreaterThan(0);
      await expect.poll(() => badge(mentor), { timeout: 15_000 }).toBeGreaterThan(before);
      await shoot(mentor, "mentor-alert");
      const title = (await alert.first().locator("strong").textContent()) ?? "";

      // the toast opens the mentee's page on the check-in it is about, with its note
      await alert.first().getByRole("link", { name: "Open" }).click();
      await expect.poll(() => mentor.url()).toMatch(/\/mentees\/[^?]+\?checkIn=/);
      const about = mentor.getByRole("region", { name: "The check-in this is about" });
      await expect.poll(() => about.textContent()).toContain(note);
      expect(await about.textContent()).toContain("confidence 1/5");
      expect(await about.textContent()).toContain("by the mentee");
      await expect
        .poll(() => mentor.getByRole("heading", { name: menteeName, level: 1 }).isVisible())
        .toBe(true);
      const checkIns = mentor.getByRole("region", { name: "Check-ins" });
      await expect
        .poll(() => checkIns.locator('[aria-current="true"]').textContent())
        .toContain(note);
      // the module's chart, described in words: confident, then lost
      const charts = () =>
        mentor.getByRole("img").evaluateAll((all) => all.map((e) => e.getAttribute("aria-label")));
      await expect
        .poll(charts)
        .toContainEqual(
          expect.stringMatching(
            /^Confidence in Uses for my own job, .*5 \(by the mentee\), 1 \(by the mentee\)/,
          ),
        );
      expect(await accessibilityProblems(mentor)).toEqual([]);
      await shoot(mentor, "mentor-check-in");

      // opening it read it: the inbox says so, and the badge counts what the inbox says
      await mentor.getByRole("link", { name: /^Inbox/ }).click();
      const opened = mentor.getByRole("article", { name: title }).first();
      await expect.poll(() => opened.getByText("Confidence dropped").isVisible()).toBe(true);
      await expect.poll(() => opened.locator(".meta").textContent()).toMatch(/· read/);
      const unreadText = mentor.getByText(/^\d+ unread$/);
      await expect
        .poll(async () => `${await badge(mentor)} unread` === (await unreadText.textContent()))
        .toBe(true);
      expect(await accessibilityProblems(mentor)).toEqual([]);
      await opened.getByRole("link", { name: "Open" }).click();
      await expect
        .poll(() => mentor.getByRole("heading", { name: menteeName, level: 1 }).isVisible())
        .toBe(true);

      // the mentor logs the session they had with the mentee; it is listed with its rating
      const log = mentor.getByRole("form", { name: "Log a session" });
      await log.getByLabel("Rating").selectOption("4");
      await log.getByLabel("Notes").fill("Talked through what felt hard.");
      await log.getByRole("button", { name: "Log the session" }).click();
      await expect
        .poll(() => log.getByRole("status").textContent())
        .toMatch(/^Logged: \d+ sessions? so far\.$/);
      const sessions = mentor.getByRole("region", { name: "Sessions" });
      const logged = sessions.getByRole("listitem").filter({ hasText: "Talked through" }).first();
      await expect.poll(() => logged.textContent()).toContain("mentor's rating: 4/5");
      expect(await accessibilityProblems(mentor)).toEqual([]);
      await shoot(mentor, "mentor-mentee-page");

      // the mentor plans a session by video, moves it, then cancels it
      const planned = mentor.getByRole("region", { name: "Planned sessions" });
      const plan = planned.getByRole("form", { name: "Plan" });
      const link = `https://meet.example.org/e2e-${Date.now().toString(36)}`;
      await plan.getByLabel("Time zone").fill("Europe/Paris");
      await plan.getByLabel("Meeting link (https://)").fill(link);
      await plan.getByRole("button", { name: "Plan" }).click();
      const item = planned
        .getByRole("listitem")
        .filter({ has: mentor.locator(`a[href="${link}"]`) });
      await expect.poll(() => item.textContent()).toContain("Scheduled");
      expect(await item.textContent()).toContain("45 minutes");
      await item.getByRole("button", { name: "Reschedule" }).click();
      const move = item.getByRole("form", { name: "Reschedule" });
      await move.getByLabel("Minutes").fill("60");
      await move.getByRole("button", { name: "Reschedule" }).click();
      await expect.poll(() => item.textContent()).toContain("60 minutes");
      expect(await accessibilityProblems(mentor)).toEqual([]);
      await item.getByLabel("Reason").fill("A clash");
      await item.getByRole("button", { name: "Cancel the session" }).click();
      await expect.poll(() => item.textContent()).toContain("Cancelled");
      expect(await item.textContent()).toContain("A clash");
    } finally {
      await mentorContext.close();
      await menteeContext.close();
    }
  });
});

describe("a mentee", () => {
  it("sets their notification preferences, kept after a reload", async () => {
    const { users } = demo();
    const [context, page] = await newPage(browser, 375);
    try {
      await signInAs(page, users.mentee);
      await page.getByRole("link", { name: "Preferences" }).click();
      const form = page.getByRole("form", { name: "Notifications" });
      await form.getByRole("radio", { name: "Once a day" }).check();
      await form.getByLabel("Digest hour").fill("18");
      await form.getByLabel("From").fill("20:00");
      await form.getByLabel("to", { exact: true }).fill("07:30");
      // a webhook (every kind not chosen otherwise goes there too) but for planned sessions;
      // proposals in the inbox and by webhook, not by e-mail
      const hook = `https://hooks.example.org/e2e-${Date.now().toString(36)}`;
      await form.getByLabel("Webhook URL (https://)").fill(hook);
      await form.getByText("Where each notification goes").click();
      const channel = (f: typeof form, name: string) => f.getByRole("checkbox", { name });
      await channel(form, "Session planned: Webhook").setChecked(false);
      await channel(form, "Proposal: E-mail").setChecked(false);
      await channel(form, "Proposal: Webhook").setChecked(true);
      await form.getByRole("button", { name: "Save" }).click();
      await expect.poll(() => form.getByText("Saved.").isVisible()).toBe(true);
      expect(await accessibilityProblems(page)).toEqual([]);

      await page.reload();
      const saved = page.getByRole("form", { name: "Notifications" });
      await expect
        .poll(() => saved.getByRole("radio", { name: "Once a day" }).isChecked())
        .toBe(true);
      expect(await saved.getByLabel("Digest hour").inputValue()).toBe("18");
      expect(await saved.getByLabel("From").inputValue()).toBe("20:00");
      expect(await saved.getByLabel("Webhook URL (https://)").inputValue()).toBe(hook);
      await saved.getByText("Where each notification goes").click();
      expect(await channel(saved, "Session planned: Webhook").isChecked()).toBe(false);
      expect(await channel(saved, "Proposal: E-mail").isChecked()).toBe(false);
      expect(await channel(saved, "Proposal: Webhook").isChecked()).toBe(true);
      expect(await channel(saved, "Confidence dropped: Webhook").isChecked()).toBe(true);

      // no webhook left behind for the next run: without a URL, no kind goes by webhook
      await saved.getByLabel("Webhook URL (https://)").fill("");
      expect(await channel(saved, "Proposal: Webhook").isDisabled()).toBe(true);
      await saved.getByRole("button", { name: "Save" }).click();
      await expect.poll(() => saved.getByText("Saved.").isVisible()).toBe(true);

      // a copy of their data, from My data on the same page
      const mine = page.getByRole("region", { name: "My data" });
      await mine.getByRole("button", { name: "Export my data" }).click();
      const archive = mine.getByRole("button", { name: "Download the archive (ZIP)" });
      await expect.poll(() => archive.isVisible(), { timeout: 60_000 }).toBe(true);
      expect(await accessibilityProblems(page)).toEqual([]);
      const [zip] = await Promise.all([page.waitForEvent("download"), archive.click()]);
      expect(zip.suggestedFilename()).toBe("my-data.zip");
    } finally {
      await context.close();
    }
  });
});

describe("French", () => {
  it("a mentee and a mentor switch the app to French, and it stays French", async () => {
    const { users } = demo();
    for (const [role, user, heading] of [
      ["mentee", users.mentee, "Mon parcours"],
      ["mentor", users.mentor, "Mes mentorés"],
    ] as const) {
      const [context, page] = await newPage(browser);
      try {
        await signInAs(page, user);
        await page.getByLabel("Language").selectOption("fr");
        await expect
          .poll(() => page.getByRole("heading", { name: heading }).isVisible())
          .toBe(true);
        expect(await page.locator("html").getAttribute("lang")).toBe("fr");
        await page.reload();
        await expect
          .poll(() => page.getByRole("heading", { name: heading }).isVisible())
          .toBe(true);
        expect(await page.getByRole("button", { name: "Se déconnecter" }).isVisible()).toBe(true);
        expect(await accessibilityProblems(page)).toEqual([]);
        await shoot(page, `french-${role}`);
        if (role === "mentor") {
          // the dashboard on a phone, in the longer of the two languages
          await page.setViewportSize({ width: 375, height: 900 });
          expect(await sidewaysOverflow(page)).toBe(0);
        }
      } finally {
        await context.close();
      }
    }
  });
});

describe("an admin", () => {
  it("imports people from a CSV file, reads the roster, previews and runs matching, cancels a proposal, supervises a mentor, exports a participant's data, reads the audit trail", async () => {
    const { users } = demo();
    const [context, page] = await newPage(browser);
    try {
      await page.goto("/");
      await expect
        .poll(() => page.getByRole("button", { name: "Demo Admin" }).isVisible())
        .toBe(true);
      expect(await accessibilityProblems(page)).toEqual([]);
      await shoot(page, "sign-in");
      await signInAs(page, users.admin);
      await expect
        .poll(() => page.getByRole("heading", { name: "Programs" }).isVisible())
        .toBe(true);
      expect(await accessibilityProblems(page)).toEqual([]);
      const name = `Browser pilot ${Date.now()}`;
      const form = page.getByRole("form", { name: "Create a program" });
      await form.getByLabel("Name").fill(name);
      await form.getByLabel("Description").fill("Created by the browser journey.");
      await form.getByRole("button", { name: "Create the program" }).click();
      await expect.poll(() => page.getByRole("heading", { name }).isVisible()).toBe(true);
      expect(page.url()).toMatch(/\/programs\/pg_/);
      await expect
        .poll(() => page.getByRole("region", { name: "Admins" }).textContent())
        .toContain(users.admin);
      expect(await accessibilityProblems(page)).toEqual([]);
      await shoot(page, "admin-program");

      // two mentors with one place each, three mentees, and a row a spreadsheet would run
      const stamp = Date.now().toString(36);
      const person = (key: string, shown: string, role: string) =>
        `e2e-${key}-${stamp},${shown} ${stamp},${key}-${stamp}@example.org,${role},Europe/Paris,` +
        (role === "mentor" ? "purpose:4,,1" : ",purpose:3,");
      const mentors = ["Mentor Ann", "Mentor Bob"].map((n) => `${n} ${stamp}`);
      const mentees = ["Mentee One", "Mentee Two", "Mentee Three"].map((n) => `${n} ${stamp}`);
      const csv = [
        "external_id,name,email,role,timezone,competencies,goals,capacity",
        person("mentor-ann", "Mentor Ann", "mentor"),
        person("mentor-bob", "Mentor Bob", "mentor"),
        person("mentee-one", "Mentee One", "mentee"),
        person("mentee-two", "Mentee Two", "mentee"),
        person("mentee-three", "Mentee Three", "mentee"),
        `e2e-bad-${stamp},=HYPERLINK("x"),bad-${stamp}@example.org,mentee,UTC,,,`,
      ].join("\n");
      const userOf = (shown: string) =>
        `e2e-${shown.replace(` ${stamp}`, "").toLowerCase().replace(" ", "-")}-${stamp}`;

      await page.getByRole("link", { name: "Import" }).click();
      const upload = page.getByRole("form", { name: "Import participants" });
      await upload.getByLabel("CSV file").setInputFiles({
        name: "people.csv",
        mimeType: "text/csv",
        buffer: Buffer.from(csv),
      });
      expect(await upload.getByRole("button", { name: "Import", exact: true }).isDisabled()).toBe(
        true,
      );
      await upload.getByRole("button", { name: "Check the file (dry run)" }).click();
      const report = page.getByRole("status", { name: "Import report" });
      await expect
        .poll(() => report.getByRole("heading").textContent())
        .toBe("Dry run: nothing was changed");
      const figures = async () =>
        Object.fromEntries(
          await report
            .locator("dt")
            .evaluateAll((terms) =>
              terms.map((dt) => [dt.textContent, dt.nextElementSibling?.textContent]),
            ),
        ) as Record<string, string>;
      expect(await figures()).toMatchObject({ Rows: "6", "Would be created": "5", Refused: "1" });
      const refused = report.getByRole("table", { name: "Refused rows" }).getByRole("row").nth(1);
      expect(await refused.getByRole("rowheader").textContent()).toBe("7");
      expect(await refused.getByRole("cell").first().textContent()).toBe("name");
      expect(await accessibilityProblems(page)).toEqual([]);
      await upload.getByRole("button", { name: "Import", exact: true }).click();
      await expect.poll(() => report.getByRole("heading").textContent()).toBe("Import report");
      expect(await figures()).toMatchObject({ Created: "5", Refused: "1" });
      await shoot(page, "admin-import");

      // the roster: everyone imported, found by role and by name
      await page.getByRole("link", { name: "Roster", exact: true }).click();
      const roster = page.getByRole("table", { name: "Participants" });
      await expect.poll(() => roster.getByRole("row").count()).toBe(6);
      const filters = page.getByRole("search", { name: "Filter the roster" });
      await filters.getByLabel("Role").selectOption("MENTEE");
      await expect.poll(() => roster.getByRole("row").count()).toBe(4);
      await filters.getByLabel("Name or e-mail").fill("mentee two");
      await filters.getByRole("button", { name: "Find" }).click();
      await expect.poll(() => roster.getByRole("row").count()).toBe(2);
      expect(await roster.getByRole("row").nth(1).textContent()).toContain(mentees[1]);
      expect(await roster.getByRole("row").nth(1).textContent()).toContain("unmatched");
      const load = page.getByRole("table", { name: "Mentors" });
      await expect.poll(() => load.getByRole("row").count()).toBe(3);
      expect(await load.textContent()).toContain("0 of 1");
      expect(await accessibilityProblems(page)).toEqual([]);
      await shoot(page, "admin-roster");
      await page.setViewportSize({ width: 375, height: 900 });
      expect(await sidewaysOverflow(page)).toBe(0);
      await page.setViewportSize({ width: 1280, height: 900 });

      // a preview proposes nothing; the run proposes the same two pairs
      await page.getByRole("link", { name: "Matching", exact: true }).click();
      await page.getByRole("button", { name: "Preview matching" }).click();
      const shown = page.getByRole("region", { name: /^(Preview|Matching report) · / });
      await expect
        .poll(() => shown.getByRole("heading", { level: 3 }).textContent())
        .toMatch(/^Preview · /);
      expect(await shown.getByRole("definition").first().textContent()).toBe("2");
      await page.getByRole("button", { name: "Run matching" }).click();
      await expect
        .poll(() => shown.getByRole("heading", { level: 3 }).textContent())
        .toMatch(/^Matching report · /);
      expect(await shown.getByRole("definition").first().textContent()).toBe("2");
      const past = page.getByRole("region", { name: "Past reports" });
      await expect.poll(() => past.getByRole("listitem").count()).toBe(2);

      // the mentee the run left out, named with the reason
      const unmatched = shown
        .getByRole("list", { name: "Unmatched mentees" })
        .getByRole("listitem");
      await expect.poll(() => unmatched.count()).toBe(1);
      // named once the names are loaded
      await expect.poll(() => unmatched.locator("strong").textContent()).toMatch(/^Mentee /);
      const leftOut = ((await unmatched.locator("strong").textContent()) ?? "").trim();
      expect(mentees).toContain(leftOut);

      // each proposal is waiting; cancel one, with a reason
      const cancels = shown.getByRole("form", { name: /^Cancel the proposal of / });
      await expect.poll(() => cancels.count()).toBe(2);
      const pair =
        (await cancels.first().getAttribute("aria-label"))?.replace(
          "Cancel the proposal of ",
          "",
        ) ?? "";
      const card = (heading: string) =>
        shown
          .getByRole("listitem")
          .filter({ has: page.getByRole("heading", { name: heading, exact: true }) });
      const cancelled = card(pair);
      const freed = mentors.find((m) => pair.endsWith(` with ${m}`)) ?? "";
      expect(freed).not.toBe("");
      expect(await accessibilityProblems(page)).toEqual([]);
      await shoot(page, "admin-matching");
      await cancelled.getByLabel("Reason for cancelling").fill("Ann is on leave this month.");
      await cancelled.getByRole("button", { name: "Cancel the proposal" }).click();
      await expect.poll(() => cancelled.locator(".state").textContent()).toBe("cancelled");
      expect(await cancels.count()).toBe(1);
      const keptPair =
        (await cancels.first().getAttribute("aria-label"))?.replace(
          "Cancel the proposal of ",
          "",
        ) ?? "";
      const keptMentor = mentors.find((m) => keptPair.endsWith(` with ${m}`)) ?? "";

      // the mentee never matched finds the mentor whose place was freed, and why
      const [menteeContext, mentee] = await newPage(browser, 375);
      try {
        await signInWithToken(mentee, userOf(leftOut), "mentee", leftOut);
        await expect.poll(() => mentee.getByText("You have no mentor yet.").isVisible()).toBe(true);
        await mentee.getByRole("link", { name: "Find a mentor" }).first().click();
        const suggested = mentee.getByRole("listitem").filter({
          has: mentee.getByRole("heading", { name: freed }),
        });
        const why = suggested.getByRole("table", { name: "Why this mentor" });
        await expect
          .poll(() => why.getByRole("rowheader", { name: "Goals covered" }).isVisible())
          .toBe(true);
        expect(await accessibilityProblems(mentee)).toEqual([]);
        await shoot(mentee, "mentee-suggestions");
        await suggested.getByRole("button", { name: "Ask to mentor me" }).click();
        await expect
          .poll(() => suggested.getByRole("status").textContent())
          .toBe("Asked: the mentor will answer.");
      } finally {
        await menteeContext.close();
      }

      // the mentor whose proposal stands sees why, and accepts
      const [mentorContext, mentor] = await newPage(browser);
      try {
        await signInAs(mentor, userOf(keptMentor));
        await mentor.getByRole("link", { name: "Proposals" }).click();
        const proposal = mentor.getByRole("listitem").filter({
          has: mentor.getByRole("heading", { name: /^Mentee / }),
        });
        await expect
          .poll(() => proposal.getByRole("heading", { name: "Why" }).isVisible())
          .toBe(true);
        expect(await accessibilityProblems(mentor)).toEqual([]);
        await shoot(mentor, "mentor-proposals");
        await proposal.getByRole("button", { name: "Accept" }).click();
        await expect
          .poll(() => mentor.getByText("No proposal is waiting for you.").isVisible())
          .toBe(true);
        await mentor.getByRole("link", { name: "Dashboard" }).click();
        await expect.poll(() => mentor.getByRole("table").getByRole("row").count()).toBe(2);
      } finally {
        await mentorContext.close();
      }

      // the admin supervises the mentor who accepted: their load, their mentee and the mentee's
      // page as an admin sees it (figures, no session to log)
      await page.getByRole("link", { name: "Roster", exact: true }).click();
      await page.getByRole("link", { name: `Supervise ${keptMentor}` }).click();
      const supervision = page.getByRole("region", { name: `Supervising ${keptMentor}` });
      const followed = supervision.getByRole("table", { name: "Their mentees in your programs" });
      await expect.poll(() => followed.getByRole("row").count()).toBe(2);
      expect(await supervision.textContent()).toContain("1 of 1");
      expect(await accessibilityProblems(page)).toEqual([]);
      await shoot(page, "admin-supervision");
      const followedMentee = ((await followed.getByRole("rowheader").textContent()) ?? "").trim();
      expect(mentees).toContain(followedMentee);
      await followed.getByRole("link", { name: followedMentee }).click();
      await expect
        .poll(() => page.getByRole("heading", { name: followedMentee, level: 1 }).isVisible())
        .toBe(true);
      expect(await page.getByRole("form", { name: "Log a session" }).count()).toBe(0);
      expect(await accessibilityProblems(page)).toEqual([]);
      await page.goBack();
      await supervision.getByRole("link", { name: "Back to the roster" }).click();
      await expect.poll(() => supervision.count()).toBe(0);

      // the admin withdraws the mentee left out, saying why: the roster says so
      await filters.getByLabel("Name or e-mail").fill(leftOut);
      await filters.getByRole("button", { name: "Find" }).click();
      await expect.poll(() => roster.getByRole("row").count()).toBe(2);
      await roster.getByRole("button", { name: "Withdraw" }).click();
      const withdrawal = roster.getByRole("form", { name: `Withdraw ${leftOut}` });
      await withdrawal.getByLabel("Reason").fill("Moved to another team.");
      await withdrawal.getByRole("button", { name: "Withdraw them" }).click();
      await expect
        .poll(() => roster.getByRole("row").nth(1).getByRole("cell").nth(1).textContent())
        .toBe("withdrawn");
      expect(await roster.getByRole("button", { name: "Withdraw" }).count()).toBe(0);

      // the admin exports that mentee's data: the archive, once every service built its part
      // (by keyboard: the toast saying that the mentee withdrew may cover the roster's last column)
      const exporting = roster.getByRole("group", { name: `Data export of ${leftOut}` });
      await exporting.getByRole("button", { name: "Export their data" }).press("Enter");
      const archive = exporting.getByRole("button", { name: "Download the archive (ZIP)" });
      await expect.poll(() => archive.isVisible(), { timeout: 60_000 }).toBe(true);
      const [zip] = await Promise.all([page.waitForEvent("download"), archive.press("Enter")]);
      expect(zip.suggestedFilename()).toMatch(/^data-pt_.+\.zip$/);

      // the report: the funnel of this period's mentees as a chart, and the same as a CSV file
      await page.getByRole("link", { name: "Report", exact: true }).click();
      const programReport = page.getByRole("region", { name: "Program report" });
      await expect
        .poll(() => programReport.getByRole("img").first().getAttribute("aria-label"))
        .toMatch(/^Registered: [1-9]\d*, Proposed: \d+/);
      expect(await accessibilityProblems(page)).toEqual([]);
      await shoot(page, "admin-report");
      const [download] = await Promise.all([
        page.waitForEvent("download"),
        programReport.getByRole("button", { name: "Download as CSV" }).click(),
      ]);
      expect(download.suggestedFilename()).toMatch(/^report-pg_.+\.csv$/);
      expect(readFileSync(await download.path(), "utf8")).toMatch(/^section,item,id,measure,value/);

      // the audit trail: what the admin just did, newest first (recorded a few seconds after)
      await page.getByRole("link", { name: "Audit trail" }).click();
      const trail = page.getByRole("region", { name: "Audit trail" });
      const actions = async () => {
        await Promise.all([
          page.waitForResponse((r) => r.url().endsWith("/graphql")),
          trail.getByRole("button", { name: "Refresh" }).press("Enter"),
        ]);
        return trail.getByRole("rowheader").allTextContents();
      };
      await expect
        .poll(actions, { timeout: 30_000 })
        .toEqual(
          expect.arrayContaining([
            "Data exported",
            "Participant withdrawn",
            "Proposal cancelled",
            "Matching run",
            "Participants imported",
            "Program created",
          ]),
        );
      expect((await trail.getByRole("rowheader").allTextContents())[0]).toBe("Data exported");
      expect(await accessibilityProblems(page)).toEqual([]);
      await shoot(page, "admin-audit");
    } finally {
      await context.close();
    }
  }, 180_000);

  it("sees the typed error when the input is refused, and is told when the gateway cannot be reached", async () => {
    const { users } = demo();
    const [context, page] = await newPage(browser);
    try {
      await signInAs(page, users.admin);
      const form = page.getByRole("form", { name: "Create a program" });
      await form.getByLabel("Name").fill("   ");
      await form.getByRole("button", { name: "Create the program" }).click();
      const problem = form.getByRole("alert");
      await expect.poll(() => problem.textContent()).toContain("Please check:");
      expect(await problem.textContent()).toContain("input.name");
      expect(await accessibilityProblems(page)).toEqual([]);

      // the gateway down: the page says so, and shows again once it answers
      await page.route("**/graphql", (route) => route.abort("connectionrefused"));
      await page.reload();
      const down = page.getByRole("alert").filter({ hasText: "The server cannot be reached" });
      await expect.poll(() => down.first().isVisible()).toBe(true);
      expect(await accessibilityProblems(page)).toEqual([]);
      await page.unroute("**/graphql");
      await down.first().getByRole("button", { name: "Try again" }).click();
      await expect.poll(() => down.count()).toBe(0);
      const listed = page
        .getByRole("listitem")
        .filter({ has: page.locator('a[href^="/programs/pg_"]') });
      await expect.poll(() => listed.count()).toBeGreaterThan(0);
    } finally {
      await context.close();
    }
  });
});

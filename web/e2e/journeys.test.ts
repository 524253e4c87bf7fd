import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accessibilityProblems, demo, launch, newPage, register, shoot, signInAs } from "./browser";

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

      // two check-ins on one module: confident, then lost (each: a level, then the button)
      const form = mentee.getByRole("form", { name: "Check in" });
      await form.getByLabel("Module").selectOption("uses-for-my-job");
      for (const level of ["5", "1"]) {
        await form.getByRole("radio", { name: new RegExp(`^${level} `) }).click();
        await form.getByRole("button", { name: "Check in" }).click();
        await expect.poll(() => form.getByText("Check-in recorded.").isVisible()).toBe(true);
      }
      await expect
        .poll(() => mentee.getByRole("listitem").filter({ hasText: "confidence 1/5" }).count())
        .toBeGreaterThan(0);

      // the mentor's page was not reloaded: the toast and the badge come over the websocket
      const toast = mentor.getByRole("region", { name: "New notifications" }).getByRole("status");
      await expect
        .poll(() => toast.filter({ hasText: menteeName }).count(), { timeout: 30_000 })
        .toBeGreaterThan(0);
      await expect.poll(() => badge(mentor), { timeout: 15_000 }).toBeGreaterThan(before);
      await shoot(mentor, "mentor-alert");
      const alert = toast.filter({ hasText: menteeName }).first();
      const title = (await alert.locator("strong").textContent()) ?? "";
      await alert.getByRole("link").click();
      await expect.poll(() => mentor.url()).toContain("/inbox/");
      const opened = mentor.locator('[aria-current="true"]');
      await expect.poll(() => opened.getByRole("heading").textContent()).toBe(title);
      // opening it marks it read, and the badge counts what the inbox says is unread
      await expect.poll(() => opened.locator(".meta").textContent()).toMatch(/· read/);
      const unreadText = mentor.getByText(/^\d+ unread$/);
      await expect
        .poll(async () => `${await badge(mentor)} unread` === (await unreadText.textContent()))
        .toBe(true);
      expect(await accessibilityProblems(mentor)).toEqual([]);
      await opened.getByRole("link").click();
      await expect
        .poll(() => mentor.getByRole("heading", { name: menteeName }).isVisible())
        .toBe(true);

      // the mentor logs the session they had with the mentee
      const log = mentor.getByRole("form", { name: "Log a session" });
      await log.getByLabel("Rating").selectOption("4");
      await log.getByLabel("Notes").fill("Talked through what felt hard.");
      await log.getByRole("button", { name: "Log the session" }).click();
      await expect
        .poll(() => log.getByRole("status").textContent())
        .toMatch(/^Logged: \d+ sessions? so far\.$/);
      expect(await accessibilityProblems(mentor)).toEqual([]);
      await shoot(mentor, "mentor-mentee-page");
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
        await shoot(page, `french-${role}`);
      } finally {
        await context.close();
      }
    }
  });
});

describe("an admin", () => {
  it("creates a program and runs matching on it; the proposed mentor accepts", async () => {
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

      // people join it (the app has no roster screen yet: registered through the API)
      const programId = decodeURIComponent(page.url().split("/programs/")[1] ?? "");
      const stamp = Date.now().toString(36);
      const mentorId = `e2e-mentor-${stamp}`;
      await register(programId, mentorId, "mentor", `Mentor ${stamp}`);
      await register(programId, `e2e-mentee-${stamp}`, "mentee", `Mentee ${stamp}`);

      await page.getByRole("button", { name: "Run matching" }).click();
      const report = page.getByRole("status").filter({ hasText: "Matching report" });
      await expect.poll(() => report.isVisible()).toBe(true);
      expect(await report.getByRole("definition").first().textContent()).toBe("1");
      expect(await accessibilityProblems(page)).toEqual([]);
      await shoot(page, "admin-program");

      await page.getByRole("link", { name: "Programs" }).click();
      await expect.poll(() => page.getByRole("link", { name }).isVisible()).toBe(true);

      // the mentee, proposed a mentor, reads the suggested mentors' explained scores
      await register(programId, `e2e-other-${stamp}`, "mentor", `Other mentor ${stamp}`);
      const [menteeContext, mentee] = await newPage(browser, 375);
      try {
        await signInAs(mentee, `e2e-mentee-${stamp}`);
        await expect
          .poll(() => mentee.getByText(`Mentor ${stamp} · proposed`).isVisible())
          .toBe(true);
        await mentee.getByRole("link", { name: "Find a mentor" }).click();
        const other = mentee.getByRole("listitem").filter({
          has: mentee.getByRole("heading", { name: `Other mentor ${stamp}` }),
        });
        const why = other.getByRole("table", { name: "Why this mentor" });
        await expect
          .poll(() => why.getByRole("rowheader", { name: "Goals covered" }).isVisible())
          .toBe(true);
        expect(await why.getByRole("row").count()).toBeGreaterThan(2);
        expect(await accessibilityProblems(mentee)).toEqual([]);
        await shoot(mentee, "mentee-suggestions");
        // asking answers with the new proposal, or says why not: never nothing
        await other.getByRole("button", { name: "Ask to mentor me" }).click();
        await expect
          .poll(
            async () =>
              (await other.getByRole("status").count()) + (await other.getByRole("alert").count()),
          )
          .toBe(1);
      } finally {
        await menteeContext.close();
      }

      // the proposed mentor sees why, and accepts
      const [mentorContext, mentor] = await newPage(browser);
      try {
        await signInAs(mentor, mentorId);
        await mentor.getByRole("link", { name: "Proposals" }).click();
        const proposal = mentor.getByRole("listitem").filter({
          has: mentor.getByRole("heading", { name: `Mentee ${stamp}` }),
        });
        await expect
          .poll(() => proposal.getByRole("heading", { name: "Why" }).isVisible())
          .toBe(true);
        expect(await proposal.getByRole("listitem").count()).toBeGreaterThan(0);
        expect(await accessibilityProblems(mentor)).toEqual([]);
        await shoot(mentor, "mentor-proposals");
        await proposal.getByRole("button", { name: "Accept" }).click();
        await expect
          .poll(() => mentor.getByText("No proposal is waiting for you.").isVisible())
          .toBe(true);
        await mentor.getByRole("link", { name: "Dashboard" }).click();
        await expect
          .poll(() => mentor.getByRole("link", { name: `Mentee ${stamp}` }).isVisible())
          .toBe(true);
      } finally {
        await mentorContext.close();
      }
    } finally {
      await context.close();
    }
  });

  it("sees the typed error when the input is refused", async () => {
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
    } finally {
      await context.close();
    }
  });
});

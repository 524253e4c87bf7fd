import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { expect } from "vitest";

/** Where the platform under test serves the web app, and what make dev seeded there. */
export const WEB_URL = process.env.WEB_URL ?? "";
const DEMO_FILE = process.env.WEB_DEMO_FILE ?? "";
const SCREENSHOTS = process.env.SCREENSHOT_DIR ?? "e2e/screenshots";

export interface Demo {
  users: { admin: string; mentor: string; mentee: string };
}

export function demo(): Demo {
  if (!WEB_URL || !DEMO_FILE) {
    throw new Error("WEB_URL and WEB_DEMO_FILE name the platform to test (see tests/web/)");
  }
  return JSON.parse(readFileSync(DEMO_FILE, "utf8")) as Demo;
}

export async function launch(): Promise<Browser> {
  const executablePath = process.env.CHROMIUM ?? "/usr/bin/chromium";
  // Chromium's sandbox cannot run as root (CI runs as root)
  const args = process.getuid?.() === 0 ? ["--no-sandbox"] : [];
  return chromium.launch({ executablePath, headless: true, args });
}

export async function newPage(browser: Browser, width = 1280): Promise<[BrowserContext, Page]> {
  const context = await browser.newContext({
    baseURL: WEB_URL,
    viewport: { width, height: 900 },
    locale: "en-GB",
  });
  // a browser where English was chosen: the app would otherwise follow the profile's language
  await context.addInitScript(() => {
    if (!localStorage.getItem("mentorship.language")) {
      localStorage.setItem("mentorship.language", "en");
    }
  });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  return [context, page];
}

/** Sign in from the dev sign-in page as the demo person with this user id; returns their name. */
export async function signInAs(page: Page, userId: string): Promise<string> {
  await page.goto("/");
  const row = page.getByRole("listitem").filter({ hasText: userId });
  const button = row.getByRole("button");
  const name = (await button.textContent()) ?? "";
  await button.click();
  await expect.poll(() => page.getByRole("button", { name: "Sign out" }).isVisible()).toBe(true);
  return name.trim();
}

export async function shoot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

const axePath = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** axe-core's serious and critical violations on the page as it is now (none expected). */
export async function accessibilityProblems(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: readFileSync(axePath, "utf8") });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: () => Promise<{ violations: unknown[] }> } })
      .axe;
    return (await axe.run()).violations;
  });
  return (violations as AxeViolation[])
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`,
    );
}

async function devToken(userId: string, role: string): Promise<string> {
  const answer = await fetch(`${WEB_URL}/dev/token`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ userId, role }),
  });
  expect(answer.status).toBe(200);
  return ((await answer.json()) as { token: string }).token;
}

const REGISTER = `
  mutation ($input: RegisterInput!, $mentor: Boolean!) {
    mentor: registerMentor(input: $input) @include(if: $mentor) { __typename }
    mentee: registerMentee(input: $input) @skip(if: $mentor) { __typename }
  }`;

/** Registers a person in a program as the demo admin, through the GraphQL API, with a profile
 * that matching pairs (the same module as competency and goal, the same hours). */
export async function register(
  programId: string,
  userId: string,
  role: "mentor" | "mentee",
  displayName: string,
): Promise<void> {
  const token = await devToken("demo-admin", "admin");
  const skills = [{ key: "purpose", level: role === "mentor" ? 4 : 3 }];
  const input = {
    programId,
    userId,
    displayName,
    email: `${userId}@example.org`,
    timezone: "Europe/Paris",
    availability: [{ day: 1, startHour: 9, endHour: 12 }],
    ...(role === "mentor" ? { competencies: skills, capacity: 2 } : { goals: skills }),
  };
  const answer = await fetch(`${WEB_URL}/graphql`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: REGISTER, variables: { input, mentor: role === "mentor" } }),
  });
  const body = (await answer.json()) as { data?: Record<string, { __typename: string }> };
  expect(body.data?.[role]?.__typename).toBe("Participant");
}

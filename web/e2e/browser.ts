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

/** Sign in with a development token, as the sign-in page does, without finding the person in
 * its list (it lists everyone on the demo admin's rosters, matched or not, which grows with each
 * run on a kept stack). */
export async function signInWithToken(
  page: Page,
  userId: string,
  role: "admin" | "mentor" | "mentee",
  name: string,
): Promise<void> {
  const token = await devToken(userId, role, name);
  await page.goto("/");
  await page.evaluate(
    (session) => localStorage.setItem("mentorship.session", JSON.stringify(session)),
    { token, userId, name, role },
  );
  await page.goto("/");
  await expect.poll(() => page.getByRole("button", { name: "Sign out" }).isVisible()).toBe(true);
}

/** How far the page scrolls sideways (0 when it fits the window's width). */
export async function sidewaysOverflow(page: Page): Promise<number> {
  return page.evaluate(() => {
    const root = document.documentElement;
    return Math.max(0, root.scrollWidth - root.clientWidth);
  });
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

async function devToken(userId: string, role: string, name?: string): Promise<string> {
  const answer = await fetch(`${WEB_URL}/dev/token`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ userId, role, name }),
  });
  expect(answer.status).toBe(200);
  return ((await answer.json()) as { token: string }).token;
}

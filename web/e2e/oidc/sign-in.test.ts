import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accessibilityProblems, launch, newPage, shoot, WEB_URL } from "../browser";

// Against the platform tests/web/test_sign_in.py starts: the web app in front of a gateway
// outside the dev profile, and a test OpenID provider that lists its users on its sign-in page.

let browser: Browser;

beforeAll(async () => {
  if (!WEB_URL) throw new Error("WEB_URL names the platform to test (see tests/web/)");
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
});

describe("a mentee signs in with their company account", () => {
  it("goes to the identity provider and back, is told when the token is refused, and signs out", async () => {
    const [context, page] = await newPage(browser);
    const signOut = page.getByRole("button", { name: "Sign out" });
    const company = page.getByRole("button", { name: "Sign in with your company account" });

    await page.goto("/");
    await company.click();
    // the provider's own page: pick the user
    await expect
      .poll(() => page.getByRole("heading", { name: "Test identity provider" }).isVisible())
      .toBe(true);
    expect(new URL(page.url()).searchParams.get("code_challenge_method")).toBe("S256");
    await page.getByRole("button", { name: "Ada Company" }).click();

    await expect.poll(() => signOut.isVisible()).toBe(true);
    await expect.poll(() => new URL(page.url()).pathname).toBe("/path");
    expect(await page.getByText("Ada Company").first().isVisible()).toBe(true);
    // the page's queries pass the gateway and the services with the provider's token
    await expect.poll(() => page.getByText("Loading…").count()).toBe(0);
    expect(await page.getByRole("alert").allTextContents()).toEqual([]);
    await shoot(page, "oidc-signed-in");
    expect(await accessibilityProblems(page)).toEqual([]);

    // a token the gateway refuses (as if it expired): the user is told and can sign in again
    await page.evaluate(() => {
      const kept = JSON.parse(localStorage.getItem("mentorship.session") ?? "{}") as object;
      localStorage.setItem("mentorship.session", JSON.stringify({ ...kept, token: "refused" }));
    });
    await page.reload();
    const again = page.getByRole("button", { name: "Sign in again" }).first();
    await expect.poll(() => again.isVisible()).toBe(true);
    expect(await page.getByText("Your session has expired.").first().isVisible()).toBe(true);
    await again.click();
    await company.click();
    await page.getByRole("button", { name: "Ada Company" }).click();
    await expect.poll(() => signOut.isVisible()).toBe(true);

    // signing out ends the provider's session too, then comes back to the sign-in page
    await signOut.click();
    // where the browser is, said if it never comes back (a rare failure here left no trace)
    const whereAmI = async () =>
      `${page.url()}: ${(
        (await page
          .locator("body")
          .textContent({ timeout: 1_000 })
          .catch(() => "")) ?? ""
      ).slice(0, 300)}`;
    await expect
      .poll(async () => ((await company.isVisible()) ? "back" : await whereAmI()))
      .toBe("back");
    expect(new URL(page.url()).origin).toBe(new URL(WEB_URL).origin);
    expect(await page.evaluate(() => localStorage.getItem("mentorship.session"))).toBeNull();
    await context.close();
  });
});

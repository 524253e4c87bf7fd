import { configDefaults, defineConfig } from "vitest/config";

// The browser journeys (e2e/): Debian's Chromium driven by playwright-core against a running
// platform (WEB_URL), one journey after the other.
export default defineConfig({
  test: {
    environment: "node",
    include: ["e2e/**/*.test.ts"],
    // the company sign-in journey needs its own platform (vitest.oidc.config.ts)
    exclude: [...configDefaults.exclude, "e2e/oidc/**"],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 60_000,
    // what the user sees may take a while on a busy machine: poll for it up to 20 s
    expect: { poll: { timeout: 20_000, interval: 100 } },
  },
});

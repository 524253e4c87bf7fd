import { defineConfig } from "vitest/config";

// The sign-in journey with a company account (e2e/oidc/): Debian's Chromium driven by
// playwright-core against the platform tests/web/test_sign_in.py starts (WEB_URL), with its
// test OpenID provider.
export default defineConfig({
  test: {
    environment: "node",
    include: ["e2e/oidc/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    expect: { poll: { timeout: 20_000, interval: 100 } },
  },
});

import { defineConfig } from "vitest/config";

// The browser journeys (e2e/): Debian's Chromium driven by playwright-core against a running
// platform (WEB_URL), one journey after the other.
export default defineConfig({
  test: {
    environment: "node",
    include: ["e2e/**/*.test.ts"],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});

/// <reference types="vitest/config" />
import react from "@vitejs/plugin-react";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";
import { bundleBudget } from "./scripts/bundle-budget";
import { inlineGraphqlDocuments } from "./scripts/inline-documents";

// The app calls the gateway on its own origin: /graphql (HTTP and websocket), /reports (CSV
// downloads), /auth/config (how people sign in here) and, in the dev profile, /dev are proxied
// to GATEWAY_URL, so there is no CORS to configure. /auth/callback is the app's own page.
const gateway = process.env.GATEWAY_URL ?? "http://127.0.0.1:8100";
const port = Number(process.env.WEB_PORT ?? 5173);
// 127.0.0.1 on a laptop; a container sets WEB_HOST=0.0.0.0 (compose.yaml).
const host = process.env.WEB_HOST ?? "127.0.0.1";
const proxy = {
  "/graphql": { target: gateway, ws: true, changeOrigin: false },
  "/dev": { target: gateway },
  "/auth/config": { target: gateway },
  "/reports": { target: gateway },
  "/data-exports": { target: gateway },
  "/audit": { target: gateway },
  "/scim": { target: gateway },
};

// The entry chunk's gzipped size may not grow beyond this (kB): it was 110 kB when the pages
// became lazy (134 kB before), so putting them back in it fails the build.
const MAIN_CHUNK_BUDGET_KB = 128;

export default defineConfig({
  plugins: [
    inlineGraphqlDocuments(fileURLToPath(new URL("src/gql", import.meta.url))),
    react(),
    bundleBudget(MAIN_CHUNK_BUDGET_KB),
  ],
  server: { host, port, strictPort: true, proxy },
  preview: { host, port, strictPort: true, proxy },
  build: { sourcemap: true },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.{ts,tsx}"],
    setupFiles: ["src/test-setup.ts"],
  },
});

/// <reference types="vitest/config" />
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

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
};

export default defineConfig({
  plugins: [react()],
  server: { host, port, strictPort: true, proxy },
  preview: { host, port, strictPort: true, proxy },
  build: { sourcemap: true },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.{ts,tsx}"],
    setupFiles: ["src/test-setup.ts"],
  },
});

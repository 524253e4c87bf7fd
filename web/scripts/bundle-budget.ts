// Fails `vite build` when the entry chunk (what every visitor downloads before the first page)
// grows beyond its gzipped budget: pages are loaded lazily by role, and a static import of a
// page or a large library from the shell would quietly undo that.
import { gzipSync } from "node:zlib";
import type { Plugin } from "vite";

/** Gzipped size in bytes of each entry chunk of a bundle, by file name. */
export function entrySizes(
  bundle: Record<string, { type: string; fileName: string; isEntry?: boolean; code?: string }>,
): Map<string, number> {
  const sizes = new Map<string, number>();
  for (const chunk of Object.values(bundle)) {
    if (chunk.type === "chunk" && chunk.isEntry && chunk.code !== undefined) {
      sizes.set(chunk.fileName, gzipSync(chunk.code).length);
    }
  }
  return sizes;
}

/** The problems with a bundle's entry chunks against a budget in gzipped kilobytes (1000 B). */
export function budgetProblems(sizes: Map<string, number>, budgetKb: number): string[] {
  return [...sizes]
    .filter(([, size]) => size > budgetKb * 1000)
    .map(
      ([name, size]) =>
        `${name} is ${(size / 1000).toFixed(1)} kB gzipped, over its budget of ${budgetKb} kB: ` +
        "load the new code lazily (src/App.tsx) or raise the budget in vite.config.ts, saying why",
    );
}

export function bundleBudget(budgetKb: number): Plugin {
  return {
    name: "bundle-budget",
    apply: "build",
    generateBundle(_options, bundle) {
      const sizes = entrySizes(bundle);
      for (const [name, size] of sizes) {
        this.info(`${name}: ${(size / 1000).toFixed(1)} kB gzipped (budget ${budgetKb} kB)`);
      }
      const problems = budgetProblems(sizes, budgetKb);
      if (problems.length) this.error(problems.join("\n"));
    },
  };
}

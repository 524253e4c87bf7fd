import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { en } from "./en";

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "gql" ? [] : sources(path);
    return /\.tsx?$/.test(entry.name) && !entry.name.includes(".test.") ? [path] : [];
  });
}

function keys(tree: object, prefix = ""): string[] {
  return Object.entries(tree).flatMap(([key, value]) =>
    typeof value === "string"
      ? [prefix + key, prefix + key.replace(/_(one|other)$/, "")]
      : keys(value as object, `${prefix}${key}.`),
  );
}

describe("the texts the app asks for", () => {
  it("exist in English (so in French too) for every literal key in the source", () => {
    const known = new Set(keys(en));
    const used = sources("src").flatMap((file) =>
      [...readFileSync(file, "utf8").matchAll(/\bt\("([\w.]+)"/g)].map((m) => `${m[1]} (${file})`),
    );
    expect(used.length).toBeGreaterThan(50);
    expect(used.filter((entry) => !known.has(entry.split(" ")[0]!))).toEqual([]);
  });
});

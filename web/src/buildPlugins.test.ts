import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { budgetProblems, entrySizes } from "../scripts/bundle-budget";
import { inlineDocuments, readDocumentTable } from "../scripts/inline-documents";
import { graphql } from "./gql";

const SRC = join(__dirname);
const GQL = join(SRC, "gql");

function sources(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return path === GQL ? [] : sources(path);
    return /\.tsx?$/.test(entry.name) ? [path] : [];
  });
}

describe("inlining the generated documents", () => {
  const table = readDocumentTable(GQL);

  it("writes in place of each call the document the generated graphql() returns", () => {
    const calls = sources(SRC).flatMap((path) =>
      [...readFileSync(path, "utf8").matchAll(/\bgraphql\(`([^`]*)`\)/g)].map((m) => m[1]!),
    );
    expect(calls.length).toBeGreaterThan(40);
    for (const source of calls) {
      const out = inlineDocuments(`const Q = graphql(\`${source}\`);\nuse(Q);`, table, "x.ts");
      const json = /^const Q = \((.*)\)\n*;\nuse\(Q\);$/s.exec(out!)?.[1];
      expect(JSON.parse(json!)).toEqual(graphql(source));
    }
  });

  it("keeps the module's lines where they were", () => {
    const source =
      "\n  query UnreadCount {\n    notifications(unreadOnly: true, first: 1) {\n      unread\n    }\n  }\n";
    const code = `import { graphql } from "../gql";\nconst Q = graphql(\`${source}\`);\nexport const after = 1;\n`;
    const out = inlineDocuments(code, table, "x.ts")!;
    expect(out.split("\n")).toHaveLength(code.split("\n").length);
    expect(out.split("\n").indexOf("export const after = 1;")).toBe(
      code.split("\n").indexOf("export const after = 1;"),
    );
    expect(out).not.toContain("graphql(\u0060");
  });

  it("fails on an operation codegen has not seen, naming it", () => {
    // built from parts, so that the build's own inlining does not see a call here
    const tick = "\u0060";
    const code = `const Q = graphql(${tick}\n  query NotGenerated {\n    me { userId }\n  }\n${tick});`;
    expect(() => inlineDocuments(code, table, "Page.tsx")).toThrow(
      "Page.tsx: codegen has not seen the operation NotGenerated: run npm run codegen",
    );
  });

  it("leaves a module without calls alone", () => {
    expect(inlineDocuments('export const graphqlUrl = "/graphql";', table, "x.ts")).toBeNull();
  });
});

describe("the main chunk's budget", () => {
  const bundle = {
    "assets/index.js": { type: "chunk", fileName: "assets/index.js", isEntry: true, code: "" },
    "assets/admin.js": { type: "chunk", fileName: "assets/admin.js", isEntry: false, code: "" },
    "assets/index.css": { type: "asset", fileName: "assets/index.css" },
  };

  it("measures the entry chunks only, gzipped", () => {
    const random = Array.from({ length: 20000 }, (_, i) => ((i * 7919) % 9973).toString(36)).join(
      "",
    );
    const sizes = entrySizes({
      ...bundle,
      "assets/index.js": { ...bundle["assets/index.js"], code: random },
    });
    expect([...sizes.keys()]).toEqual(["assets/index.js"]);
    expect(sizes.get("assets/index.js")).toBeGreaterThan(1000);
    expect(sizes.get("assets/index.js")).toBeLessThan(random.length);
  });

  it("reports an entry chunk over the budget and passes one under it", () => {
    const sizes = new Map([["assets/index.js", 130_400]]);
    expect(budgetProblems(sizes, 131)).toEqual([]);
    expect(budgetProblems(sizes, 128)).toEqual([
      "assets/index.js is 130.4 kB gzipped, over its budget of 128 kB: load the new code lazily " +
        "(src/App.tsx) or raise the budget in vite.config.ts, saying why",
    ]);
  });
});

// Replaces each `graphql(`...`)` call in the app's sources by the document that GraphQL Code
// Generator made of it (the object exported by src/gql/graphql.ts), written in place.
//
// Without it every call goes through the `graphql` function of src/gql/gql.ts, whose map holds
// every operation of the app: all of them would end up in the main chunk, whichever page is
// open. The client preset's Babel plugin rewrites the calls into imports from src/gql/graphql.ts,
// but that is one module, and a module lands whole in one chunk, so the lazily loaded pages
// would still share a single chunk of every document. Written in place, a document travels with
// the component that uses it. It is the very object the generated code holds (same JSON), so the
// app sends exactly what it sent before; a call codegen has not seen fails the build.
import { readFileSync, statSync } from "node:fs";
import { dirname, join, sep } from "node:path";
import type { Plugin } from "vite";

/** The source text of each operation, mapped to its generated document as JSON text. */
export type DocumentTable = Map<string, string>;

const ENTRY = /^ {4}("(?:[^"\\]|\\.)*"): types\.(\w+),$/gm;
const EXPORT = /^export const (\w+) = (\{.*\}) as unknown as DocumentNode<.*>;$/gm;
const CALL = /\bgraphql\(`([^`]*)`\)/g;

/** Reads the generated map (gql.ts) and documents (graphql.ts) of a codegen output directory. */
export function readDocumentTable(directory: string): DocumentTable {
  const documents = new Map<string, string>();
  for (const [, name, json] of readFileSync(join(directory, "graphql.ts"), "utf8").matchAll(
    EXPORT,
  )) {
    documents.set(name!, json!);
  }
  const table: DocumentTable = new Map();
  for (const [, source, name] of readFileSync(join(directory, "gql.ts"), "utf8").matchAll(ENTRY)) {
    const json = documents.get(name!);
    if (json === undefined) throw new Error(`${directory}: gql.ts names ${name}, not generated`);
    table.set(JSON.parse(source!) as string, json);
  }
  return table;
}

/** The module with its `graphql(`...`)` calls replaced, line numbers kept; null if it has none. */
export function inlineDocuments(code: string, table: DocumentTable, id: string): string | null {
  let found = false;
  const out = code.replace(CALL, (_call, source: string) => {
    const json = table.get(source);
    if (json === undefined) {
      const name = /\b(?:query|mutation|subscription|fragment)\s+(\w+)/.exec(source)?.[1];
      throw new Error(
        `${id}: codegen has not seen the operation ${name ?? "(unnamed)"}: run npm run codegen`,
      );
    }
    found = true;
    return `(${json})` + "\n".repeat(source.split("\n").length - 1);
  });
  return found ? out : null;
}

/** The Vite plugin: applies `inlineDocuments` to the app's TypeScript sources, those beside the
 * codegen output `directory` (src/gql) but not in it. */
export function inlineGraphqlDocuments(directory: string): Plugin {
  const sources = dirname(directory) + sep;
  let table: DocumentTable | null = null;
  let stamp = "";
  const current = (): DocumentTable => {
    const now = ["gql.ts", "graphql.ts"]
      .map((file) => statSync(join(directory, file)).mtimeMs)
      .join();
    if (table === null || now !== stamp) {
      table = readDocumentTable(directory);
      stamp = now;
    }
    return table;
  };
  return {
    name: "inline-graphql-documents",
    enforce: "pre",
    transform(code, id) {
      const app = id.startsWith(sources) && !id.startsWith(directory + sep);
      if (!app || !/\.tsx?$/.test(id) || !code.includes("graphql(`")) return null;
      const out = inlineDocuments(code, current(), id);
      return out === null ? null : { code: out, map: null };
    },
  };
}

// Fails when src/gql/ is not what codegen makes of the current schema and operations: the
// generated types are committed, so a schema change must come with them regenerated.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const fresh = mkdtempSync(join(tmpdir(), "codegen-"));
try {
  execFileSync("npx", ["graphql-codegen", "--config", "codegen.ts", "--silent"], {
    env: { ...process.env, CODEGEN_OUT: fresh + "/" },
    stdio: "inherit",
  });
  const names = (dir) => readdirSync(dir).sort();
  const stale = [...new Set([...names(fresh), ...names("src/gql")])].filter((name) => {
    try {
      return (
        readFileSync(join(fresh, name), "utf8") !== readFileSync(join("src/gql", name), "utf8")
      );
    } catch {
      return true;
    }
  });
  if (stale.length) {
    console.error(`src/gql is stale (${stale.join(", ")}): run npm run codegen in web/`);
    process.exit(1);
  }
  console.log("src/gql matches the schema and the operations");
} finally {
  rmSync(fresh, { recursive: true, force: true });
}

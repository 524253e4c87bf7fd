import type { CodegenConfig } from "@graphql-codegen/cli";

// Typed operations from the gateway's schema: an operation that no longer fits the schema fails
// here, and a changed type fails the type check. CODEGEN_OUT lets the freshness check generate
// elsewhere and compare.
const out = process.env.CODEGEN_OUT ?? "src/gql/";

const config: CodegenConfig = {
  schema: "../gateway/schema.graphql",
  // tests write their own operations against a client of their own: not the app's
  documents: ["src/**/*.{ts,tsx}", "!src/gql/**/*", "!src/**/*.test.{ts,tsx}"],
  ignoreNoDocuments: false,
  generates: {
    [out]: {
      preset: "client",
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        onlyOperationTypes: true,
        scalars: { DateTime: "string", Date: "string", Upload: "File" },
      },
      presetConfig: { fragmentMasking: false },
    },
    // the schema for Graphcache, minified (types, fields, unions and interfaces only): it tells
    // which type a fragment on a union or an interface applies to, and which fields are nullable
    [`${out}introspection.ts`]: {
      plugins: ["urql-introspection"],
      config: { module: "es2015", useTypeImports: true },
    },
  },
};

export default config;

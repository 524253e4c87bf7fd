import type { CodegenConfig } from "@graphql-codegen/cli";

// Typed operations from the gateway's schema: an operation that no longer fits the schema fails
// here, and a changed type fails the type check. CODEGEN_OUT lets the freshness check generate
// elsewhere and compare.
const out = process.env.CODEGEN_OUT ?? "src/gql/";

const config: CodegenConfig = {
  schema: "../gateway/schema.graphql",
  documents: ["src/**/*.{ts,tsx}", "!src/gql/**/*"],
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
  },
};

export default config;

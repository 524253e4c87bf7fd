import type { Client } from "urql";
import { fromValue, never } from "wonka";

export type Sent = { name: string; variables: Record<string, unknown> }[];
type Request = { query: { definitions: { name?: { value: string } }[] }; variables: never };
type Answer = (name: string, variables: Record<string, unknown>) => unknown;

const nameOf = (request: Request) => request.query.definitions[0]?.name?.value ?? "";

/** A client for component tests: it answers each operation, named, with what ``answer`` returns
 * for it (a mutation left unanswered when that is undefined), and records what was sent. */
export function fakeClient(answer: Answer, sent: Sent = []): Client {
  const reply = (request: Request) => {
    const name = nameOf(request);
    sent.push({ name, variables: request.variables });
    const data = answer(name, request.variables);
    if (data === undefined) return never;
    return fromValue({ operation: request, data, stale: false, hasNext: false });
  };
  return { executeQuery: reply, executeMutation: reply } as unknown as Client;
}

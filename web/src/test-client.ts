import { CombinedError, type Client } from "urql";
import { fromValue, never } from "wonka";

type Variables = Record<string, unknown>;
type Request = { query: { definitions: { name?: { value: string } }[] }; variables: Variables };

/** The operations a test client was asked, in order, by name with their variables. */
export type Asked = { name: string; variables: Variables }[];
export type Sent = Asked;

/** A urql client for component tests: each query and mutation is recorded in ``asked`` and
 * answered at once by what ``reply`` gives for its name and variables (data, or a
 * ``CombinedError``), or never when that is undefined. */
function replying(reply: (name: string, variables: Variables) => unknown, asked: Asked): Client {
  const execute = (request: Request) => {
    const name = request.query.definitions[0]?.name?.value ?? "";
    asked.push({ name, variables: request.variables });
    const given = reply(name, request.variables);
    if (given === undefined) return never;
    return fromValue({
      operation: request,
      ...(given instanceof CombinedError ? { error: given } : { data: given }),
      stale: false,
      hasNext: false,
    });
  };
  return { executeQuery: execute, executeMutation: execute } as unknown as Client;
}

/** What the fake server answers an operation: its data, or an error. */
export type Answer = (variables: Variables) => Record<string, unknown> | CombinedError;

/** A test client answering each operation by the answer of its name; an operation without one
 * fails the test. */
export function fakeClient(answers: Record<string, Answer>): { client: Client; asked: Asked } {
  const asked: Asked = [];
  const client = replying((name, variables) => {
    const answer = answers[name];
    if (!answer) throw new Error(`no answer for ${name}`);
    return answer(variables);
  }, asked);
  return { client, asked };
}

/** A test client answering each operation with ``answer(name, variables)``, recording it in
 * ``sent``; an operation ``answer`` leaves undefined is never answered. */
export function answeringClient(
  answer: (name: string, variables: Variables) => unknown,
  sent: Sent = [],
): Client {
  return replying(answer, sent);
}

/** Signs a person in for a test, as the app keeps a session. */
export function signedInAs(userId: string, role: "admin" | "mentor" | "mentee"): void {
  localStorage.setItem("mentorship.language", "en");
  localStorage.setItem(
    "mentorship.session",
    JSON.stringify({ token: "tok", userId, name: userId, role }),
  );
}

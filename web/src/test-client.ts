import { CombinedError, type Client } from "urql";
import { fromValue } from "wonka";

type Variables = Record<string, unknown>;

/** What the fake server answers an operation: its data, or an error. */
export type Answer = (variables: Variables) => Record<string, unknown> | CombinedError;

export type Asked = { name: string; variables: Variables }[];

/** A urql client for component tests: each query and mutation is answered at once by the
 * answer of its operation's name, and recorded in ``asked``. */
export function fakeClient(answers: Record<string, Answer>): { client: Client; asked: Asked } {
  const asked: Asked = [];
  const execute = (request: {
    query: { definitions: { name?: { value: string } }[] };
    variables: Variables;
  }) => {
    const name = request.query.definitions[0]?.name?.value ?? "";
    asked.push({ name, variables: request.variables });
    const answer = answers[name];
    if (!answer) throw new Error(`no answer for ${name}`);
    const given = answer(request.variables);
    return fromValue({
      operation: request,
      ...(given instanceof CombinedError ? { error: given } : { data: given }),
      stale: false,
      hasNext: false,
    });
  };
  const client = { executeQuery: execute, executeMutation: execute } as unknown as Client;
  return { client, asked };
}

/** Signs a person in for a test, as the app keeps a session. */
export function signedInAs(userId: string, role: "admin" | "mentor" | "mentee"): void {
  localStorage.setItem("mentorship.language", "en");
  localStorage.setItem(
    "mentorship.session",
    JSON.stringify({ token: "tok", userId, name: userId, role }),
  );
}

import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useMutation } from "urql";
import { useSignedIn } from "../../auth/session";
import { MutationProblem, Problem } from "../../components/Problem";
import { graphql } from "../../gql";

const AddAdmin = graphql(`
  mutation AddProgramAdmin($id: ID!, $userId: ID!, $name: String, $email: String) {
    addProgramAdmin(programId: $id, userId: $userId, displayName: $name, email: $email) {
      __typename
      ... on Program {
        id
        adminIds
      }
      ... on MutationError {
        message
      }
      ... on ValidationError {
        problems {
          path
          message
        }
      }
    }
  }
`);

const RemoveAdmin = graphql(`
  mutation RemoveProgramAdmin($id: ID!, $userId: ID!) {
    removeProgramAdmin(programId: $id, userId: $userId) {
      __typename
      ... on Program {
        id
        adminIds
      }
      ... on MutationError {
        message
      }
    }
  }
`);

/** A program's admins (by user id): adding a co-admin, removing one (never the last). */
export function Admins({ programId, adminIds }: { programId: string; adminIds: string[] }) {
  const { t } = useTranslation();
  const session = useSignedIn();
  const [userId, setUserId] = useState("");
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [adding, add] = useMutation(AddAdmin);
  const [removing, remove] = useMutation(RemoveAdmin);
  return (
    <section className="card" aria-labelledby="admins-title">
      <h2 id="admins-title">{t("admins.title")}</h2>
      <ul>
        {adminIds.map((id) => (
          <li key={id}>
            <code>{id}</code>
            {id === session.userId ? ` (${t("admins.you")})` : ""}{" "}
            <button
              type="button"
              disabled={removing.fetching}
              aria-label={t("admins.removeWho", { id })}
              onClick={() => void remove({ id: programId, userId: id })}
            >
              {t("admins.remove")}
            </button>
          </li>
        ))}
      </ul>
      <Problem error={removing.error} />
      <MutationProblem result={removing.data?.removeProgramAdmin} />
      <form
        aria-label={t("admins.add")}
        onSubmit={(event) => {
          event.preventDefault();
          void add({ id: programId, userId, name: name || null, email: email || null }).then(
            (r) => {
              if (r.data?.addProgramAdmin?.__typename === "Program") {
                setUserId("");
                setName("");
                setEmail("");
              }
            },
          );
        }}
      >
        <label>
          {t("admins.userId")}{" "}
          <input
            required
            value={userId}
            onChange={(e) => setUserId(e.target.value)}
            maxLength={128}
          />
        </label>{" "}
        <label>
          {t("admins.name")}{" "}
          <input value={name} onChange={(e) => setName(e.target.value)} maxLength={200} />
        </label>{" "}
        <label>
          {t("prefs.email")}{" "}
          <input type="email" value={email} onChange={(e) => setEmail(e.target.value)} />
        </label>{" "}
        <button type="submit" disabled={adding.fetching}>
          {t("admins.add")}
        </button>
        <Problem error={adding.error} />
        <MutationProblem result={adding.data?.addProgramAdmin} />
      </form>
    </section>
  );
}

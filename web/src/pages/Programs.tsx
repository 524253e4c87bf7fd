import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate } from "react-router";
import { useMutation, useQuery } from "urql";
import { Pager, useCursorPages } from "../components/Pager";
import { Loading, MutationProblem, Problem } from "../components/Problem";
import { newKey } from "../components/Progress";
import { graphql } from "../gql";
import type { ProgramStatus } from "../gql/graphql";

const ProgramsQuery = graphql(`
  query Programs($after: String) {
    programs(first: 20, after: $after) {
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        name
        status
        createdAt
      }
    }
    learningPaths {
      id
      title
    }
  }
`);

const CreateProgram = graphql(`
  mutation CreateProgram($input: CreateProgramInput!, $key: String) {
    createProgram(input: $input, idempotencyKey: $key) {
      __typename
      ... on Program {
        id
        name
        status
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

function CreateForm({ paths }: { paths: { id: string; title: string }[] }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [pathId, setPathId] = useState("");
  const [capacity, setCapacity] = useState("3");
  const [expiry, setExpiry] = useState("7");
  const [status, setStatus] = useState<ProgramStatus>("OPEN");
  const [mutual, setMutual] = useState(false);
  // one key per filled-in form: a double submit creates one program
  const [key, setKey] = useState(newKey);
  const [state, create] = useMutation(CreateProgram);
  const answer = state.data?.createProgram;
  return (
    <form
      className="card"
      aria-labelledby="create-title"
      onSubmit={(event) => {
        event.preventDefault();
        void create({
          key,
          input: {
            name,
            description,
            learningPathId: pathId || paths[0]?.id || "social-business-accompaniment",
            defaultMentorCapacity: Number(capacity),
            proposalExpiryDays: Number(expiry),
            status,
            mutualAcceptance: mutual,
          },
        }).then((r) => {
          const made = r.data?.createProgram;
          if (made?.__typename === "Program") {
            setKey(newKey());
            void navigate(`/programs/${encodeURIComponent(made.id)}`);
          }
        });
      }}
    >
      <h2 id="create-title">{t("programs.create")}</h2>
      <label className="block">
        {t("programs.name")}
        <input required value={name} onChange={(e) => setName(e.target.value)} maxLength={200} />
      </label>
      <label className="block">
        {t("programs.description")}
        <textarea rows={2} value={description} onChange={(e) => setDescription(e.target.value)} />
      </label>
      <label>
        {t("programs.path")}{" "}
        <select value={pathId} onChange={(e) => setPathId(e.target.value)}>
          {paths.map((p) => (
            <option key={p.id} value={p.id}>
              {p.title}
            </option>
          ))}
        </select>
      </label>{" "}
      <label>
        {t("programs.capacity")}{" "}
        <input
          type="number"
          min={1}
          max={50}
          value={capacity}
          onChange={(e) => setCapacity(e.target.value)}
        />
      </label>{" "}
      <label>
        {t("programs.expiry")}{" "}
        <input
          type="number"
          min={1}
          max={90}
          value={expiry}
          onChange={(e) => setExpiry(e.target.value)}
        />
      </label>
      <fieldset>
        <legend>{t("programs.start")}</legend>
        {(["OPEN", "DRAFT"] as const).map((s) => (
          <label key={s} className="block">
            <input type="radio" name="start" checked={status === s} onChange={() => setStatus(s)} />{" "}
            {t(`programs.start${s}`)}
          </label>
        ))}
      </fieldset>
      <label className="block">
        <input type="checkbox" checked={mutual} onChange={(e) => setMutual(e.target.checked)} />{" "}
        {t("programs.mutual")}
      </label>
      <p>
        <button type="submit" disabled={state.fetching}>
          {t("programs.submit")}
        </button>
      </p>
      <Problem error={state.error} />
      <MutationProblem result={answer} />
    </form>
  );
}

/** The programs I administer, and creating one. */
export function Programs() {
  const { t } = useTranslation();
  const pages = useCursorPages();
  const [result] = useQuery({ query: ProgramsQuery, variables: { after: pages.after } });
  if (result.fetching && !result.data) return <Loading />;
  const programs = result.data?.programs?.nodes ?? [];
  return (
    <>
      <h1>{t("programs.heading")}</h1>
      <Problem error={result.error} />
      {programs.length === 0 ? <p>{t("programs.none")}</p> : null}
      <ul className="programs">
        {programs.map((p) => (
          <li key={p.id}>
            <Link to={`/programs/${encodeURIComponent(p.id)}`}>{p.name}</Link>{" "}
            <span className={`status ${p.status.toLowerCase()}`}>
              {t(`programStatus.${p.status}`)}
            </span>
          </li>
        ))}
      </ul>
      <Pager {...pages} page={result.data?.programs?.pageInfo} />
      <CreateForm paths={result.data?.learningPaths ?? []} />
    </>
  );
}

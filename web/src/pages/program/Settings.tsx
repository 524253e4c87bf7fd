import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useMutation } from "urql";
import { MutationProblem, Problem } from "../../components/Problem";
import { graphql } from "../../gql";
import type { ProgramStatus } from "../../gql/graphql";

const UpdateProgram = graphql(`
  mutation UpdateProgram($id: ID!, $input: UpdateProgramInput!) {
    updateProgram(programId: $id, input: $input) {
      __typename
      ... on Program {
        id
        name
        description
        status
        proposalExpiryDays
        defaultMentorCapacity
        mutualAcceptance
        selfErasure
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
      ... on Conflict {
        currentState
      }
    }
  }
`);

export interface ProgramSettings {
  id: string;
  name: string;
  description: string;
  status: ProgramStatus;
  proposalExpiryDays: number;
  defaultMentorCapacity: number;
  mutualAcceptance: boolean;
  selfErasure: boolean;
}

/** Opening and closing a program (closing asks to be confirmed: it ends every active match). */
function Status({ program }: { program: ProgramSettings }) {
  const { t } = useTranslation();
  const [confirming, setConfirming] = useState(false);
  const [state, update] = useMutation(UpdateProgram);
  const set = (status: ProgramStatus) =>
    void update({ id: program.id, input: { status } }).then(() => setConfirming(false));
  return (
    <div>
      <p>
        {t("settings.status")}: <strong>{t(`programStatus.${program.status}`)}</strong>
      </p>
      {program.status === "DRAFT" ? (
        <button type="button" disabled={state.fetching} onClick={() => set("OPEN")}>
          {t("settings.open")}
        </button>
      ) : null}{" "}
      {program.status !== "CLOSED" && !confirming ? (
        <button type="button" onClick={() => setConfirming(true)}>
          {t("settings.close")}
        </button>
      ) : null}
      {confirming ? (
        <div role="alertdialog" aria-labelledby="close-warning" className="problem">
          <p id="close-warning">{t("settings.closeWarning")}</p>
          <button type="button" disabled={state.fetching} onClick={() => set("CLOSED")}>
            {t("settings.confirmClose")}
          </button>{" "}
          <button type="button" onClick={() => setConfirming(false)}>
            {t("settings.keepOpen")}
          </button>
        </div>
      ) : null}
      <Problem error={state.error} />
      <MutationProblem result={state.data?.updateProgram} />
    </div>
  );
}

/** A program's settings, edited by its admins (only what changed is sent). */
export function Settings({ program }: { program: ProgramSettings }) {
  const { t } = useTranslation();
  const [name, setName] = useState(program.name);
  const [description, setDescription] = useState(program.description);
  const [expiry, setExpiry] = useState(String(program.proposalExpiryDays));
  const [capacity, setCapacity] = useState(String(program.defaultMentorCapacity));
  const [mutual, setMutual] = useState(program.mutualAcceptance);
  const [selfErasure, setSelfErasure] = useState(program.selfErasure);
  const [state, update] = useMutation(UpdateProgram);
  const answer = state.data?.updateProgram;
  const changed = {
    ...(name !== program.name ? { name } : {}),
    ...(description !== program.description ? { description } : {}),
    ...(Number(expiry) !== program.proposalExpiryDays
      ? { proposalExpiryDays: Number(expiry) }
      : {}),
    ...(Number(capacity) !== program.defaultMentorCapacity
      ? { defaultMentorCapacity: Number(capacity) }
      : {}),
    ...(mutual !== program.mutualAcceptance ? { mutualAcceptance: mutual } : {}),
    ...(selfErasure !== program.selfErasure ? { selfErasure } : {}),
  };
  return (
    <section className="card" aria-labelledby="settings-title">
      <h2 id="settings-title">{t("settings.title")}</h2>
      <Status program={program} />
      <form
        aria-label={t("settings.edit")}
        onSubmit={(event) => {
          event.preventDefault();
          void update({ id: program.id, input: changed });
        }}
      >
        <label className="block">
          {t("programs.name")}
          <input required value={name} onChange={(e) => setName(e.target.value)} maxLength={200} />
        </label>
        <label className="block">
          {t("programs.description")}
          <textarea rows={2} value={description} onChange={(e) => setDescription(e.target.value)} />
        </label>
        <label>
          {t("programs.expiry")}{" "}
          <input
            type="number"
            min={1}
            max={90}
            value={expiry}
            onChange={(e) => setExpiry(e.target.value)}
          />
        </label>{" "}
        <label>
          {t("settings.capacity")}{" "}
          <input
            type="number"
            min={1}
            max={50}
            value={capacity}
            onChange={(e) => setCapacity(e.target.value)}
          />
        </label>
        <label className="block">
          <input type="checkbox" checked={mutual} onChange={(e) => setMutual(e.target.checked)} />{" "}
          {t("settings.mutual")}
        </label>
        <label className="block">
          <input
            type="checkbox"
            checked={selfErasure}
            onChange={(e) => setSelfErasure(e.target.checked)}
          />{" "}
          {t("settings.selfErasure")}
        </label>
        <button type="submit" disabled={state.fetching || Object.keys(changed).length === 0}>
          {t("settings.save")}
        </button>
        {answer?.__typename === "Program" ? <p role="status">{t("prefs.saved")}</p> : null}
        <Problem error={state.error} />
        <MutationProblem result={answer} />
      </form>
    </section>
  );
}

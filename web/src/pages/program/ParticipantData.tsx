import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useMutation } from "urql";
import { ConfirmErasure, ErasureProgress, ExportProgress } from "../../components/DataRequests";
import { MutationProblem, Problem } from "../../components/Problem";
import { graphql } from "../../gql";

const ExportParticipant = graphql(`
  mutation ExportParticipantData($id: ID!) {
    exportParticipantData(participantId: $id) {
      __typename
      ... on DataExport {
        id
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

const EraseParticipant = graphql(`
  mutation EraseParticipant($id: ID!, $confirm: ID!) {
    eraseParticipant(participantId: $id, confirm: $confirm) {
      __typename
      ... on DataErasure {
        id
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

/** Exporting a participant's data in the program: asked once, then its state until the archive
 * can be downloaded. */
function ExportTheirData({ id, name }: { id: string; name: string }) {
  const { t } = useTranslation();
  const [state, start] = useMutation(ExportParticipant);
  const answer = state.data?.exportParticipantData;
  return (
    <div aria-label={t("participantData.exportOf", { name })} role="group">
      {answer?.__typename === "DataExport" ? (
        <ExportProgress id={answer.id} filename={`data-${id}`} />
      ) : (
        <button type="button" disabled={state.fetching} onClick={() => void start({ id })}>
          {t("participantData.export")}
        </button>
      )}
      <Problem error={state.error} />
      <MutationProblem result={answer} />
    </div>
  );
}

/** Erasing a participant's data in the program, once the admin confirmed that it cannot be
 * undone (the request repeats the participant's id as its confirmation). */
function EraseTheirData({
  id,
  name,
  onErased,
}: {
  id: string;
  name: string;
  onErased?: () => void;
}) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const [state, erase] = useMutation(EraseParticipant);
  const answer = state.data?.eraseParticipant;
  if (answer?.__typename === "DataErasure") {
    return <ErasureProgress id={answer.id} onComplete={onErased} />;
  }
  if (!open) {
    return (
      <button type="button" onClick={() => setOpen(true)}>
        {t("participantData.erase")}
      </button>
    );
  }
  return (
    <ConfirmErasure
      label={t("participantData.eraseWho", { name })}
      warning={t("participantData.eraseWarning", { name })}
      understand={t("participantData.understand")}
      confirm={t("participantData.confirmErase")}
      keep={t("participantData.keep")}
      busy={state.fetching}
      onConfirm={() => void erase({ id, confirm: id })}
      onKeep={() => setOpen(false)}
    >
      <Problem error={state.error} />
      <MutationProblem result={answer} />
    </ConfirmErasure>
  );
}

/** What an admin can do with a participant's personal data: export it, erase it (``onErased``
 * once every service is done). */
export function ParticipantData({
  id,
  name,
  onErased,
}: {
  id: string;
  name: string;
  onErased?: () => void;
}) {
  return (
    <>
      <ExportTheirData id={id} name={name} />
      <EraseTheirData id={id} name={name} onErased={onErased} />
    </>
  );
}

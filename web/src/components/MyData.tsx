import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useMutation } from "urql";
import { useSignedIn } from "../auth/session";
import { graphql } from "../gql";
import { ConfirmErasure, ErasureProgress, ExportProgress } from "./DataRequests";
import { MutationProblem, Problem } from "./Problem";

const ExportMyData = graphql(`
  mutation ExportMyData {
    exportMyData {
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

const EraseMyData = graphql(`
  mutation EraseMyData($confirm: ID!) {
    eraseMyData(confirm: $confirm) {
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

function ExportMine() {
  const { t } = useTranslation();
  const [state, start] = useMutation(ExportMyData);
  const answer = state.data?.exportMyData;
  return (
    <div>
      <h3>{t("myData.export")}</h3>
      <p>{t("myData.exportWhat")}</p>
      {answer?.__typename === "DataExport" ? (
        <ExportProgress id={answer.id} filename="my-data" />
      ) : (
        <button type="button" disabled={state.fetching} onClick={() => void start({})}>
          {t("myData.exportStart")}
        </button>
      )}
      <Problem error={state.error} />
      <MutationProblem result={answer} />
    </div>
  );
}

/** Erasing one's own data, once confirmed; where a program does not allow it, the person is
 * told to ask its admins. The request repeats the person's user id as its confirmation. */
function EraseMine() {
  const { t } = useTranslation();
  const session = useSignedIn();
  const [open, setOpen] = useState(false);
  const [state, erase] = useMutation(EraseMyData);
  const answer = state.data?.eraseMyData;
  return (
    <div>
      <h3>{t("myData.erase")}</h3>
      {answer?.__typename === "DataErasure" ? (
        <ErasureProgress id={answer.id} />
      ) : answer?.__typename === "Forbidden" ? (
        <p role="alert" className="problem">
          {t("myData.askAdmins")}
        </p>
      ) : open ? (
        <ConfirmErasure
          label={t("myData.erase")}
          warning={t("myData.eraseWarning")}
          understand={t("myData.understand")}
          confirm={t("myData.confirmErase")}
          keep={t("myData.keep")}
          busy={state.fetching}
          onConfirm={() => void erase({ confirm: session.userId })}
          onKeep={() => setOpen(false)}
        >
          <Problem error={state.error} />
          <MutationProblem result={answer} />
        </ConfirmErasure>
      ) : (
        <button type="button" onClick={() => setOpen(true)}>
          {t("myData.eraseStart")}
        </button>
      )}
    </div>
  );
}

/** My personal data: a copy of everything the platform holds about me, and its erasure where my
 * programs allow it. */
export function MyData() {
  const { t } = useTranslation();
  return (
    <section className="card" aria-labelledby="my-data-title">
      <h2 id="my-data-title">{t("myData.title")}</h2>
      <ExportMine />
      <EraseMine />
    </section>
  );
}

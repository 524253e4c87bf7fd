import { useEffect, useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { useQuery } from "urql";
import { downloadFile } from "../api/download";
import { useSignedIn } from "../auth/session";
import { graphql } from "../gql";
import { MutationProblem, Problem } from "./Problem";

const DataExportQuery = graphql(`
  query DataExport($id: ID!) {
    dataExport(id: $id) {
      __typename
      ... on DataExport {
        id
        status
        requestedAt
        completedAt
        expiresAt
        downloadPath
        parts {
          service
          readyAt
        }
      }
      ... on MutationError {
        message
      }
    }
  }
`);

const DataErasureQuery = graphql(`
  query DataErasure($id: ID!) {
    dataErasure(id: $id) {
      __typename
      ... on DataErasure {
        id
        status
        requestedAt
        completedAt
        done {
          service
          doneAt
        }
      }
      ... on MutationError {
        message
      }
    }
  }
`);

/** How long a pending request waits before it is asked about again (ms). */
export const POLL_MS = 2000;

/** Asks for a request's state again, from the server, every ``every`` ms while it is pending. */
function usePolling(
  pending: boolean,
  reexecute: (opts: { requestPolicy: "network-only" }) => void,
  every: number,
) {
  useEffect(() => {
    if (!pending) return;
    const timer = setInterval(() => reexecute({ requestPolicy: "network-only" }), every);
    return () => clearInterval(timer);
  }, [pending, reexecute, every]);
}

/** A data export's state, asked again until it is complete, then a button that downloads the
 * archive (the gateway serves it to the bearer of a token, which a plain link cannot send). */
export function ExportProgress({
  id,
  filename,
  every = POLL_MS,
}: {
  id: string;
  filename: string;
  every?: number;
}) {
  const { t } = useTranslation();
  const session = useSignedIn();
  const [downloadProblem, setDownloadProblem] = useState<string | null>(null);
  const [result, reexecute] = useQuery({
    query: DataExportQuery,
    variables: { id },
    requestPolicy: "network-only",
  });
  const answer = result.data?.dataExport;
  const found = answer?.__typename === "DataExport" ? answer : null;
  usePolling(found?.status === "PENDING", reexecute, every);
  return (
    <div className="data-request">
      {found ? (
        <p role="status">
          {t(`dataRequests.export.${found.status}`)}
          {found.status === "PENDING"
            ? ` ${t("dataRequests.partsReady", { count: found.parts.length })}`
            : ""}
        </p>
      ) : null}
      {found?.status === "COMPLETE" && found.downloadPath ? (
        <button
          type="button"
          onClick={() => {
            setDownloadProblem(null);
            downloadFile(found.downloadPath ?? "", session.token, `${filename}.zip`).catch(
              (e: unknown) => setDownloadProblem(String(e)),
            );
          }}
        >
          {t("dataRequests.download")}
        </button>
      ) : null}
      {downloadProblem ? (
        <p role="alert" className="problem">
          {t("dataRequests.downloadFailed", { reason: downloadProblem })}
        </p>
      ) : null}
      <Problem error={result.error} />
      <MutationProblem result={answer} />
    </div>
  );
}

/** A data erasure's state, asked again until every service is done (then ``onComplete``). */
export function ErasureProgress({
  id,
  every = POLL_MS,
  onComplete,
}: {
  id: string;
  every?: number;
  onComplete?: () => void;
}) {
  const { t } = useTranslation();
  const [result, reexecute] = useQuery({
    query: DataErasureQuery,
    variables: { id },
    requestPolicy: "network-only",
  });
  const answer = result.data?.dataErasure;
  const found = answer?.__typename === "DataErasure" ? answer : null;
  usePolling(found?.status === "PENDING", reexecute, every);
  const complete = found?.status === "COMPLETE";
  useEffect(() => {
    if (complete) onComplete?.();
  }, [complete, onComplete]);
  return (
    <div className="data-request">
      {found ? (
        <p role="status">
          {t(`dataRequests.erasure.${found.status}`)}
          {found.status === "PENDING" && found.done.length
            ? ` ${t("dataRequests.servicesDone", {
                services: found.done.map((d) => t(`dataRequests.service.${d.service}`)).join(", "),
              })}`
            : ""}
        </p>
      ) : null}
      <Problem error={result.error} />
      <MutationProblem result={answer} />
    </div>
  );
}

/** The form that confirms an erasure: the warning, a box to tick saying it cannot be undone,
 * then the erasure (``onConfirm``) or keeping the data (``onKeep``); ``children`` tell what the
 * request answered. */
export function ConfirmErasure({
  label,
  warning,
  understand,
  confirm,
  keep,
  busy,
  onConfirm,
  onKeep,
  children,
}: {
  label: string;
  warning: string;
  understand: string;
  confirm: string;
  keep: string;
  busy: boolean;
  onConfirm: () => void;
  onKeep: () => void;
  children?: ReactNode;
}) {
  const [sure, setSure] = useState(false);
  return (
    <form
      aria-label={label}
      onSubmit={(event) => {
        event.preventDefault();
        onConfirm();
      }}
    >
      <p>{warning}</p>
      <label>
        <input type="checkbox" checked={sure} onChange={(e) => setSure(e.target.checked)} />{" "}
        {understand}
      </label>{" "}
      <button type="submit" disabled={!sure || busy}>
        {confirm}
      </button>{" "}
      <button type="button" onClick={onKeep}>
        {keep}
      </button>
      {children}
    </form>
  );
}

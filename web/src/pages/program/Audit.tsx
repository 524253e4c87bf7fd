import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useQuery } from "urql";
import { downloadFile } from "../../api/download";
import { useSignedIn } from "../../auth/session";
import { Pager, type Cursors } from "../../components/Pager";
import { Loading, MutationProblem, Problem } from "../../components/Problem";
import { graphql } from "../../gql";

const AuditQuery = graphql(`
  query AuditLog($programId: ID!, $after: String) {
    auditLog(programId: $programId, first: 20, after: $after) {
      __typename
      ... on AuditLog {
        csvPath
        pageInfo {
          hasNextPage
          endCursor
        }
        nodes {
          id
          at
          actorId
          action
          objectKind
          objectId
          before
          after
        }
      }
      ... on MutationError {
        message
      }
    }
  }
`);

type Values = Record<string, unknown>;

/** A recorded value as a person reads it: text as it is, a list as its items, an object as its
 * fields with their values. */
export function readable(value: unknown): string {
  if (value === null || value === undefined) return "–";
  if (typeof value === "string") return value;
  if (Array.isArray(value)) return value.map(readable).join(", ");
  if (typeof value === "object") {
    return Object.entries(value)
      .map(([field, inner]) => `${field}: ${readable(inner)}`)
      .join(", ");
  }
  return String(value);
}

/** The fields an action changed, each with its value before and after (either may be absent:
 * a creation has no before, a removal no after). */
export function changes(before: unknown, after: unknown): [string, unknown, unknown][] {
  const asValues = (v: unknown): Values =>
    typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Values) : {};
  const was = asValues(before);
  const is = asValues(after);
  const fields = [...new Set([...Object.keys(was), ...Object.keys(is)])];
  return fields.map((field) => [field, was[field], is[field]]);
}

function Changes({ before, after }: { before: unknown; after: unknown }) {
  const { t } = useTranslation();
  const rows = changes(before, after);
  if (!rows.length) return <>–</>;
  return (
    <dl className="changes">
      {rows.map(([field, was, is]) => (
        <div key={field}>
          <dt>{field}</dt>
          <dd>
            {was === undefined
              ? readable(is)
              : is === undefined
                ? t("audit.was", { value: readable(was) })
                : t("audit.fromTo", { from: readable(was), to: readable(is) })}
          </dd>
        </div>
      ))}
    </dl>
  );
}

/** A program's audit trail for its admins, newest first, a page at a time: who did what, when,
 * to which object, with the values before and after; the whole trail as a CSV file. */
export function Audit({ programId }: { programId: string }) {
  const { t, i18n } = useTranslation();
  const session = useSignedIn();
  const [cursors, setCursors] = useState<Cursors>([null]);
  const [downloadProblem, setDownloadProblem] = useState<string | null>(null);
  const [result, reexecute] = useQuery({
    query: AuditQuery,
    variables: { programId, after: cursors[cursors.length - 1] ?? null },
  });
  const answer = result.data?.auditLog;
  const log = answer?.__typename === "AuditLog" ? answer : null;
  const when = new Intl.DateTimeFormat(i18n.language, { dateStyle: "medium", timeStyle: "short" });
  return (
    <section className="card" aria-labelledby="audit-title">
      <h2 id="audit-title">{t("audit.title")}</h2>
      <p>
        {t("audit.lag")}{" "}
        <button type="button" onClick={() => reexecute({ requestPolicy: "network-only" })}>
          {t("audit.refresh")}
        </button>
      </p>
      <Problem error={result.error} />
      <MutationProblem result={answer} />
      {result.fetching && !result.data ? <Loading /> : null}
      {log && log.nodes.length === 0 ? <p>{t("audit.none")}</p> : null}
      {log && log.nodes.length ? (
        <div className="table-wrap">
          <table>
            <caption>{t("audit.caption")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("audit.at")}</th>
                <th scope="col">{t("audit.actor")}</th>
                <th scope="col">{t("audit.action")}</th>
                <th scope="col">{t("audit.object")}</th>
                <th scope="col">{t("audit.changes")}</th>
              </tr>
            </thead>
            <tbody>
              {log.nodes.map((record) => (
                <tr key={record.id}>
                  <td>
                    <time dateTime={String(record.at)}>
                      {when.format(new Date(String(record.at)))}
                    </time>
                  </td>
                  <td>{record.actorId === session.userId ? t("audit.you") : record.actorId}</td>
                  <th scope="row">{t(`audit.actions.${record.action}`)}</th>
                  <td>
                    {t(`audit.kinds.${record.objectKind}`)} <code>{record.objectId}</code>
                  </td>
                  <td>
                    <Changes before={record.before} after={record.after} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <Pager cursors={cursors} setCursors={setCursors} page={log?.pageInfo} />
      {log ? (
        <button
          type="button"
          onClick={() => {
            setDownloadProblem(null);
            downloadFile(log.csvPath, session.token, `audit-${programId}.csv`).catch((e: unknown) =>
              setDownloadProblem(String(e)),
            );
          }}
        >
          {t("audit.csv")}
        </button>
      ) : null}
      {downloadProblem ? (
        <p role="alert" className="problem">
          {t("audit.csvFailed", { reason: downloadProblem })}
        </p>
      ) : null}
    </section>
  );
}

import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { useMutation } from "urql";
import { useSignedIn } from "../../auth/session";
import { MutationProblem, Problem } from "../../components/Problem";
import { graphql } from "../../gql";

const ImportParticipants = graphql(`
  mutation ImportParticipants($programId: ID!, $file: Upload!, $dryRun: Boolean) {
    importParticipants(programId: $programId, file: $file, dryRun: $dryRun) {
      __typename
      ... on ImportReport {
        programId
        dryRun
        rows
        created
        updated
        unchanged
        refusedCount
        refused {
          line
          column
          reason
        }
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

/** Headers of an upload: the token, and the header the gateway asks of every multipart request
 * (a cross-site form cannot send it without a preflight). urql sends a variable holding a File
 * as a GraphQL multipart request. */
export function uploadContext(token: string) {
  return {
    fetchOptions: {
      headers: { Authorization: `Bearer ${token}`, "Apollo-Require-Preflight": "true" },
    },
  };
}

/** Onboarding from a CSV file: a dry run says what the file would do, row by row refusals with
 * their line, column and reason; then the import itself, with its report. */
export function Import({ programId }: { programId: string }) {
  const { t } = useTranslation();
  const session = useSignedIn();
  const [file, setFile] = useState<File | null>(null);
  const [checked, setChecked] = useState<File | null>(null);
  const [state, send] = useMutation(ImportParticipants);
  const context = useMemo(() => uploadContext(session.token), [session.token]);
  const answer = state.data?.importParticipants;
  const report = answer?.__typename === "ImportReport" ? answer : null;
  const run = (dryRun: boolean) => {
    if (!file) return;
    void send({ programId, file, dryRun }, context).then((r) => {
      const done = r.data?.importParticipants;
      setChecked(done?.__typename === "ImportReport" && done.dryRun ? file : null);
    });
  };
  return (
    <section className="card" aria-labelledby="import-title">
      <h2 id="import-title">{t("import.title")}</h2>
      <p className="hint">{t("import.hint")}</p>
      <form
        aria-label={t("import.title")}
        onSubmit={(event) => {
          event.preventDefault();
          run(true);
        }}
      >
        <label className="block">
          {t("import.file")}
          <input
            type="file"
            accept=".csv,text/csv"
            onChange={(e) => {
              setFile(e.target.files?.[0] ?? null);
              setChecked(null);
            }}
          />
        </label>
        <button type="submit" disabled={!file || state.fetching}>
          {t("import.dryRun")}
        </button>{" "}
        <button
          type="button"
          disabled={!file || checked !== file || state.fetching}
          onClick={() => run(false)}
        >
          {t("import.run")}
        </button>
        {file && checked !== file && !state.fetching ? (
          <p className="hint">{t("import.checkFirst")}</p>
        ) : null}
      </form>
      {state.fetching ? <p role="status">{t("import.working")}</p> : null}
      <Problem error={state.error} />
      <MutationProblem result={answer} />
      {report ? (
        <div role="status" className="report" aria-label={t("import.report")}>
          <h3>{report.dryRun ? t("import.dryRunReport") : t("import.report")}</h3>
          <dl>
            <dt>{t("import.rows")}</dt>
            <dd>{report.rows}</dd>
            <dt>{report.dryRun ? t("import.wouldCreate") : t("import.created")}</dt>
            <dd>{report.created}</dd>
            <dt>{report.dryRun ? t("import.wouldUpdate") : t("import.updated")}</dt>
            <dd>{report.updated}</dd>
            <dt>{t("import.unchanged")}</dt>
            <dd>{report.unchanged}</dd>
            <dt>{t("import.refused")}</dt>
            <dd>{report.refusedCount}</dd>
          </dl>
          {report.refused.length ? (
            <div className="table-wrap">
              <table>
                <caption>{t("import.refusedRows")}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t("import.line")}</th>
                    <th scope="col">{t("import.column")}</th>
                    <th scope="col">{t("import.reason")}</th>
                  </tr>
                </thead>
                <tbody>
                  {report.refused.map((row, i) => (
                    <tr key={i}>
                      <th scope="row">{row.line}</th>
                      <td>{row.column ?? t("import.wholeRow")}</td>
                      <td>{row.reason}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}

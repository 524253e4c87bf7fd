import { useCallback, useState } from "react";
import { useTranslation } from "react-i18next";
import { useMutation, useQuery } from "urql";
import { Pager, type Cursors } from "../../components/Pager";
import { Loading, MutationProblem, Problem } from "../../components/Problem";
import { graphql } from "../../gql";
import type { ParticipantRole, RosterStatus } from "../../gql/graphql";
import { ParticipantData } from "./ParticipantData";

const RosterQuery = graphql(`
  query Roster(
    $id: ID!
    $role: ParticipantRole
    $status: RosterStatus
    $search: String
    $after: String
  ) {
    program(id: $id) {
      id
      participants(role: $role, status: $status, search: $search, first: 20, after: $after) {
        pageInfo {
          hasNextPage
          endCursor
        }
        nodes {
          status
          participant {
            id
            displayName
            email
            roles
            department
            status
          }
        }
      }
    }
  }
`);

const Withdraw = graphql(`
  mutation WithdrawParticipant($id: ID!, $reason: String) {
    withdrawParticipant(participantId: $id, reason: $reason) {
      __typename
      ... on Participant {
        id
        programId
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

const ROLES: ParticipantRole[] = ["MENTOR", "MENTEE"];
const STATUSES: RosterStatus[] = ["UNMATCHED", "PROPOSED", "ACTIVE", "COMPLETED", "WITHDRAWN"];

function WithdrawForm({ id, name }: { id: string; name: string }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState("");
  const [state, withdraw] = useMutation(Withdraw);
  const answer = state.data?.withdrawParticipant;
  if (!open) {
    return (
      <button type="button" onClick={() => setOpen(true)}>
        {t("roster.withdraw")}
      </button>
    );
  }
  return (
    <form
      aria-label={t("roster.withdrawWho", { name })}
      onSubmit={(event) => {
        event.preventDefault();
        void withdraw({ id, reason: reason || null });
      }}
    >
      <p>{t("roster.withdrawWarning", { name })}</p>
      <label>
        {t("roster.reason")}{" "}
        <input value={reason} onChange={(e) => setReason(e.target.value)} maxLength={500} />
      </label>{" "}
      <button type="submit" disabled={state.fetching}>
        {t("roster.confirmWithdraw")}
      </button>{" "}
      <button type="button" onClick={() => setOpen(false)}>
        {t("roster.keep")}
      </button>
      <Problem error={state.error} />
      <MutationProblem result={answer} />
    </form>
  );
}

/** The program's roster for its admins: who takes part and where each stands, by role and
 * status, searched by name or e-mail, a page at a time; withdrawing someone, exporting or erasing
 * their data. */
export function Roster({ programId }: { programId: string }) {
  const { t } = useTranslation();
  const [role, setRole] = useState<ParticipantRole | "">("");
  const [status, setStatus] = useState<RosterStatus | "">("");
  const [typed, setTyped] = useState("");
  const [search, setSearch] = useState("");
  const [cursors, setCursors] = useState<Cursors>([null]);
  const [result, reexecute] = useQuery({
    query: RosterQuery,
    variables: {
      id: programId,
      role: role || null,
      status: status || null,
      search: search || null,
      after: cursors[cursors.length - 1] ?? null,
    },
  });
  const page = result.data?.program?.participants;
  const restart = () => setCursors([null]);
  // an erased participant is shown under their pseudonym once every service is done
  const erased = useCallback(() => reexecute({ requestPolicy: "network-only" }), [reexecute]);
  return (
    <section className="card" aria-labelledby="roster-title">
      <h2 id="roster-title">{t("roster.title")}</h2>
      <form
        className="filters"
        role="search"
        aria-label={t("roster.filters")}
        onSubmit={(event) => {
          event.preventDefault();
          setSearch(typed.trim());
          restart();
        }}
      >
        <label>
          {t("roster.role")}{" "}
          <select
            value={role}
            onChange={(e) => {
              setRole(e.target.value as ParticipantRole | "");
              restart();
            }}
          >
            <option value="">{t("roster.any")}</option>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {t(`roster.roles.${r}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t("roster.status")}{" "}
          <select
            value={status}
            onChange={(e) => {
              setStatus(e.target.value as RosterStatus | "");
              restart();
            }}
          >
            <option value="">{t("roster.any")}</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`roster.${s}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t("roster.search")}{" "}
          <input
            type="search"
            value={typed}
            maxLength={100}
            onChange={(e) => setTyped(e.target.value)}
          />
        </label>
        <button type="submit">{t("roster.find")}</button>
      </form>
      <Problem error={result.error} />
      {result.fetching && !page ? <Loading /> : null}
      {page && page.nodes.length === 0 ? <p>{t("roster.none")}</p> : null}
      {page && page.nodes.length ? (
        <div className="table-wrap">
          <table>
            <caption>{t("roster.caption")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("roster.name")}</th>
                <th scope="col">{t("roster.role")}</th>
                <th scope="col">{t("roster.status")}</th>
                <th scope="col">{t("roster.email")}</th>
                <th scope="col">{t("roster.action")}</th>
              </tr>
            </thead>
            <tbody>
              {page.nodes.map(({ participant: p, status: where }, i) => (
                <tr key={`${p.id}-${i}`}>
                  <th scope="row">{p.displayName}</th>
                  <td>{p.roles.map((r) => t(`roster.roles.${r}`)).join(", ")}</td>
                  <td>{t(`roster.${where}`)}</td>
                  <td>{p.email}</td>
                  <td>
                    {where === "WITHDRAWN" ? null : <WithdrawForm id={p.id} name={p.displayName} />}
                    <ParticipantData id={p.id} name={p.displayName} onErased={erased} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <Pager cursors={cursors} setCursors={setCursors} page={page?.pageInfo} />
    </section>
  );
}

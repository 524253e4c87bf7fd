import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useParams, useSearchParams } from "react-router";
import { useMutation, useQuery } from "urql";
import { Loading, MutationProblem, Problem } from "../components/Problem";
import { useSignedIn } from "../auth/session";
import { MenteeHistory } from "../components/MenteeHistory";
import { PlannedSessions } from "../components/PlannedSessions";
import { MenteeProgress, newKey } from "../components/Progress";
import { graphql } from "../gql";

const MenteeQuery = graphql(`
  query Mentee($id: ID!) {
    mentee(id: $id) {
      id
      displayName
      email
      department
      timezone
      goals {
        key
        level
      }
    }
  }
`);

const LogSession = graphql(`
  mutation LogSession($menteeId: ID!, $input: SessionInput!, $key: String) {
    logSession(menteeId: $menteeId, input: $input, idempotencyKey: $key) {
      __typename
      ... on MenteeProgress {
        menteeId
        sessionsCount
        lastActivityAt
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

function LogSessionForm({ menteeId }: { menteeId: string }) {
  const { t } = useTranslation();
  const [heldOn, setHeldOn] = useState(() => new Date().toISOString().slice(0, 10));
  const [minutes, setMinutes] = useState("45");
  const [notes, setNotes] = useState("");
  const [rating, setRating] = useState("");
  const [state, log] = useMutation(LogSession);
  const answer = state.data?.logSession;
  return (
    <form
      className="card"
      aria-labelledby="log-title"
      onSubmit={(event) => {
        event.preventDefault();
        void log({
          menteeId,
          key: newKey(),
          input: {
            heldOn,
            durationMinutes: Number(minutes),
            notes: notes || null,
            rating: rating ? Number(rating) : null,
          },
        });
      }}
    >
      <h2 id="log-title">{t("session.title")}</h2>
      <label>
        {t("session.heldOn")}{" "}
        <input type="date" required value={heldOn} onChange={(e) => setHeldOn(e.target.value)} />
      </label>{" "}
      <label>
        {t("session.minutes")}{" "}
        <input
          type="number"
          required
          min={1}
          max={600}
          value={minutes}
          onChange={(e) => setMinutes(e.target.value)}
        />
      </label>{" "}
      <label>
        {t("session.rating")}{" "}
        <select value={rating} onChange={(e) => setRating(e.target.value)}>
          <option value="">–</option>
          {[1, 2, 3, 4, 5].map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
      </label>
      <label className="block">
        {t("session.notes")}
        <textarea
          rows={2}
          value={notes}
          onChange={(e) => setNotes(e.target.value)}
          maxLength={2000}
        />
      </label>
      <button type="submit" disabled={state.fetching}>
        {t("session.submit")}
      </button>
      {answer?.__typename === "MenteeProgress" ? (
        <p role="status">{t("session.logged", { count: answer.sessionsCount })}</p>
      ) : null}
      <Problem error={state.error} />
      <MutationProblem result={answer} />
    </form>
  );
}

/** A mentee's page for their mentor (and the program's admins, who see figures only): profile,
 * progress, the history in detail opened on what a notification is about; for the mentor, the
 * planned sessions and logging a session. */
export function MenteePage() {
  const { t } = useTranslation();
  const session = useSignedIn();
  const { id = "" } = useParams();
  const [params] = useSearchParams();
  const [mentee] = useQuery({ query: MenteeQuery, variables: { id } });
  const profile = mentee.data?.mentee;
  if (mentee.fetching && !profile) return <Loading />;
  return (
    <>
      <h1>{profile?.displayName ?? t("mentee.heading")}</h1>
      <Problem error={mentee.error} />
      {profile ? (
        <p>
          {[profile.department, profile.timezone, profile.email].filter(Boolean).join(" · ")}
          {profile.goals.length
            ? ` · ${t("mentee.goals")}: ${profile.goals.map((g) => `${g.key} (${g.level})`).join(", ")}`
            : ""}
        </p>
      ) : null}
      <MenteeProgress menteeId={id} mine={false} />
      {session.role === "mentor" ? (
        <>
          <PlannedSessions menteeId={id} focused={params.get("plannedSession")} />
          <LogSessionForm menteeId={id} />
        </>
      ) : null}
      <MenteeHistory menteeId={id} />
    </>
  );
}

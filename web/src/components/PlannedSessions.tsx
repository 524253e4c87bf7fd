import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useMutation, useQuery } from "urql";
import { graphql } from "../gql";
import type { PlannedSessionsQuery, PlannedSessionsWhen } from "../gql/graphql";
import { Pager, type Cursors } from "./Pager";
import { MutationProblem, Problem } from "./Problem";
import { newKey } from "./Progress";

const PlannedQuery = graphql(`
  query PlannedSessions($menteeId: ID!, $when: PlannedSessionsWhen!, $after: String) {
    plannedSessions(menteeId: $menteeId, when: $when, first: 10, after: $after) {
      nodes {
        id
        menteeId
        status
        startsAt
        timeZone
        localStart
        durationMinutes
        location
        videoUrl
        plannedBy
        cancelReason
        unconfirmed
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

const Plan = graphql(`
  mutation PlanSession($menteeId: ID!, $input: SessionScheduleInput!, $key: String) {
    planSession(menteeId: $menteeId, input: $input, idempotencyKey: $key) {
      __typename
      ... on PlannedSession {
        id
        menteeId
        status
        startsAt
        timeZone
        localStart
        durationMinutes
        location
        videoUrl
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

const Reschedule = graphql(`
  mutation ReschedulePlannedSession($id: ID!, $input: SessionScheduleInput!) {
    reschedulePlannedSession(plannedSessionId: $id, input: $input) {
      __typename
      ... on PlannedSession {
        id
        status
        startsAt
        timeZone
        localStart
        durationMinutes
        location
        videoUrl
        unconfirmed
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

const Cancel = graphql(`
  mutation CancelPlannedSession($id: ID!, $reason: String) {
    cancelPlannedSession(plannedSessionId: $id, reason: $reason) {
      __typename
      ... on PlannedSession {
        id
        status
        cancelReason
      }
      ... on MutationError {
        message
      }
    }
  }
`);

const Confirm = graphql(`
  mutation ConfirmPlannedSession($id: ID!) {
    confirmPlannedSession(plannedSessionId: $id) {
      __typename
      ... on PlannedSession {
        id
        menteeId
        status
        unconfirmed
      }
      ... on MutationError {
        message
      }
    }
  }
`);

type Planned = NonNullable<PlannedSessionsQuery["plannedSessions"]>["nodes"][number];

const WHEN: PlannedSessionsWhen[] = ["UPCOMING", "PAST"];

export interface Schedule {
  date: string;
  time: string;
  timeZone: string;
  durationMinutes: string;
  location: string;
  videoUrl: string;
}

/** The browser's own time zone (what a new session is planned in unless changed). */
function browserZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

/** The form's fields for a new session (tomorrow at 10:00 in the browser's zone), or for moving
 * one that exists (its own clock time, zone, duration, place and link). */
export function initialSchedule(session?: Planned): Schedule {
  if (session) {
    const [date = "", time = ""] = session.localStart.split("T");
    return {
      date,
      time: time.slice(0, 5),
      timeZone: session.timeZone,
      durationMinutes: String(session.durationMinutes),
      location: session.location ?? "",
      videoUrl: session.videoUrl ?? "",
    };
  }
  const tomorrow = new Date(Date.now() + 86_400_000);
  const pad = (n: number) => String(n).padStart(2, "0");
  return {
    date: `${tomorrow.getFullYear()}-${pad(tomorrow.getMonth() + 1)}-${pad(tomorrow.getDate())}`,
    time: "10:00",
    timeZone: browserZone(),
    durationMinutes: "45",
    location: "",
    videoUrl: "",
  };
}

/** What the API takes: the start on the zone's clock, the place and the link null when empty. */
export function scheduleInput(schedule: Schedule) {
  return {
    localStart: `${schedule.date}T${schedule.time}`,
    timeZone: schedule.timeZone.trim(),
    durationMinutes: Number(schedule.durationMinutes),
    location: schedule.location.trim() || null,
    videoUrl: schedule.videoUrl.trim() || null,
  };
}

function ScheduleForm({
  label,
  initial,
  busy,
  onSubmit,
  onCancel,
}: {
  label: string;
  initial: Schedule;
  busy: boolean;
  onSubmit: (schedule: Schedule) => void;
  onCancel?: () => void;
}) {
  const { t } = useTranslation();
  const [form, setForm] = useState(initial);
  const field = (name: keyof Schedule) => ({
    value: form[name],
    onChange: (e: { target: { value: string } }) => setForm({ ...form, [name]: e.target.value }),
  });
  return (
    <form
      aria-label={label}
      onSubmit={(event) => {
        event.preventDefault();
        onSubmit(form);
      }}
    >
      <label>
        {t("planned.date")} <input type="date" required {...field("date")} />
      </label>{" "}
      <label>
        {t("planned.time")} <input type="time" required {...field("time")} />
      </label>{" "}
      <label>
        {t("planned.zone")} <input required maxLength={64} {...field("timeZone")} />
      </label>{" "}
      <label>
        {t("planned.minutes")}{" "}
        <input type="number" required min={5} max={480} {...field("durationMinutes")} />
      </label>
      <label className="block">
        {t("planned.place")} <input maxLength={300} {...field("location")} />
      </label>
      <label className="block">
        {t("planned.link")}{" "}
        <input type="url" pattern="https://.*" maxLength={2000} {...field("videoUrl")} />
      </label>
      <button type="submit" disabled={busy}>
        {label}
      </button>{" "}
      {onCancel ? (
        <button type="button" onClick={onCancel}>
          {t("planned.back")}
        </button>
      ) : null}
    </form>
  );
}

function PlannedItem({
  session,
  now,
  focused,
}: {
  session: Planned;
  now: number;
  focused: boolean;
}) {
  const { t } = useTranslation();
  const [moving, setMoving] = useState(false);
  const [reason, setReason] = useState("");
  const [rescheduling, reschedule] = useMutation(Reschedule);
  const [cancelling, cancel] = useMutation(Cancel);
  const [confirming, confirm] = useMutation(Confirm);
  const scheduled = session.status === "SCHEDULED";
  const started = Date.parse(session.startsAt) <= now;
  return (
    <li aria-current={focused ? "true" : undefined}>
      <p>
        <strong>
          {session.localStart.replace("T", " ")} ({session.timeZone})
        </strong>{" "}
        · {t("planned.duration", { count: session.durationMinutes })} ·{" "}
        {t(`planned.status.${session.status}`)}
        {session.unconfirmed ? ` · ${t("planned.unconfirmed")}` : ""}
        {session.location ? ` · ${session.location}` : ""}{" "}
        {session.videoUrl ? (
          <a href={session.videoUrl} rel="noreferrer noopener" target="_blank">
            {t("planned.join")}
          </a>
        ) : null}
        {session.cancelReason ? ` · ${session.cancelReason}` : ""}
      </p>
      {scheduled && moving ? (
        <ScheduleForm
          label={t("planned.reschedule")}
          initial={initialSchedule(session)}
          busy={rescheduling.fetching}
          onCancel={() => setMoving(false)}
          onSubmit={(schedule) =>
            void reschedule({ id: session.id, input: scheduleInput(schedule) }).then((r) => {
              if (r.data?.reschedulePlannedSession?.__typename === "PlannedSession") {
                setMoving(false);
              }
            })
          }
        />
      ) : null}
      {scheduled && !moving ? (
        <div className="actions">
          <button type="button" onClick={() => setMoving(true)}>
            {t("planned.reschedule")}
          </button>{" "}
          {started ? (
            <button
              type="button"
              disabled={confirming.fetching}
              onClick={() => void confirm({ id: session.id })}
            >
              {t("planned.confirm")}
            </button>
          ) : null}{" "}
          <label>
            {t("planned.reason")}{" "}
            <input value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)} />
          </label>{" "}
          <button
            type="button"
            disabled={cancelling.fetching}
            onClick={() => void cancel({ id: session.id, reason: reason.trim() || null })}
          >
            {t("planned.cancel")}
          </button>
        </div>
      ) : null}
      <Problem error={rescheduling.error ?? cancelling.error ?? confirming.error} />
      <MutationProblem result={rescheduling.data?.reschedulePlannedSession} />
      <MutationProblem result={cancelling.data?.cancelPlannedSession} />
      <MutationProblem result={confirming.data?.confirmPlannedSession} />
    </li>
  );
}

/** A mentee's planned sessions, for the mentee and their mentor, the upcoming ones (the earliest
 * first) or the past ones (the latest first) a page at a time: planning one (date, time, time
 * zone, duration, place or link), moving or cancelling one still scheduled, and saying it took
 * place once it has started. ``focused``: the one a notification opened it on. */
export function PlannedSessions({
  menteeId,
  focused = null,
}: {
  menteeId: string;
  focused?: string | null;
}) {
  const { t } = useTranslation();
  const [when, setWhen] = useState<PlannedSessionsWhen>("UPCOMING");
  const [cursors, setCursors] = useState<Cursors>([null]);
  const [result] = useQuery({
    query: PlannedQuery,
    variables: { menteeId, when, after: cursors[cursors.length - 1] ?? null },
  });
  const [planning, plan] = useMutation(Plan);
  const [formKey, setFormKey] = useState(0);
  const page = result.data?.plannedSessions;
  const sessions = page?.nodes ?? [];
  const now = Date.now();
  return (
    <section className="card" aria-labelledby="planned-title">
      <h2 id="planned-title">{t("planned.title")}</h2>
      <label>
        {t("planned.show")}{" "}
        <select
          value={when}
          onChange={(e) => {
            setWhen(e.target.value as PlannedSessionsWhen);
            setCursors([null]);
          }}
        >
          {WHEN.map((w) => (
            <option key={w} value={w}>
              {t(`planned.when.${w}`)}
            </option>
          ))}
        </select>
      </label>
      <Problem error={result.error} />
      {sessions.length ? (
        <ul className="planned">
          {sessions.map((s) => (
            <PlannedItem key={s.id} session={s} now={now} focused={s.id === focused} />
          ))}
        </ul>
      ) : result.data ? (
        <p>{t(`planned.none.${when}`)}</p>
      ) : null}
      <Pager cursors={cursors} setCursors={setCursors} page={page?.pageInfo} />
      <h3>{t("planned.new")}</h3>
      <ScheduleForm
        key={formKey}
        label={t("planned.plan")}
        initial={initialSchedule()}
        busy={planning.fetching}
        onSubmit={(schedule) =>
          void plan({ menteeId, key: newKey(), input: scheduleInput(schedule) }).then((r) => {
            if (r.data?.planSession?.__typename === "PlannedSession") setFormKey((k) => k + 1);
          })
        }
      />
      <Problem error={planning.error} />
      <MutationProblem result={planning.data?.planSession} />
    </section>
  );
}

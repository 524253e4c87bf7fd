import { useTranslation } from "react-i18next";
import type { NotificationChannel, NotificationKind } from "../gql/graphql";

const EVERY_KIND = {
  MATCH_PROPOSED: true,
  MATCH_ACCEPTED: true,
  MATCH_DECLINED: true,
  MATCH_EXPIRED: true,
  MATCH_ENDED: true,
  MATCH_CANCELLED: true,
  MATCH_ACCEPTANCE_GIVEN: true,
  MATCH_PROPOSAL_EXPIRING: true,
  PROGRESS_MENTEE_STALLED: true,
  PROGRESS_MENTEE_STILL_STALLED: true,
  PROGRESS_CONFIDENCE_DROPPED: true,
  PROGRESS_MENTEE_BACK_ON_TRACK: true,
  PROGRESS_MILESTONE_COMPLETED: true,
  PROGRESS_MODULE_COMPLETED: true,
  PROGRESS_PATH_COMPLETED: true,
  PROGRESS_CHECK_IN_OVERDUE: true,
  PROGRESS_SESSION_PLANNED: true,
  PROGRESS_SESSION_RESCHEDULED: true,
  PROGRESS_SESSION_CANCELLED: true,
  PROGRESS_SESSION_TO_CONFIRM: true,
  PROGRESS_SESSION_LOGGED_WITHOUT_RATING: true,
  PARTICIPANT_WITHDRAWN: true,
  MENTOR_WEEKLY_DIGEST: true,
} satisfies Record<NotificationKind, true>;

export const KINDS = Object.keys(EVERY_KIND) as NotificationKind[];
export const CHANNELS: NotificationChannel[] = ["IN_APP", "EMAIL", "WEBHOOK"];

/** The one kind with no channel at all is off; every other kind always reaches the inbox. */
export const CAN_BE_OFF: NotificationKind = "MENTOR_WEEKLY_DIGEST";

/** The kinds whose channels were chosen; a kind not in it goes by the default. */
export type Chosen = Partial<Record<NotificationKind, NotificationChannel[]>>;

/** What the notify service does for a kind nobody chose for: in-app and e-mail, plus the webhook
 * once there is a URL. */
export function channelsOf(chosen: Chosen, kind: NotificationKind, webhookUrl: string) {
  const defaults: NotificationChannel[] = webhookUrl
    ? ["IN_APP", "EMAIL", "WEBHOOK"]
    : ["IN_APP", "EMAIL"];
  const channels = chosen[kind] ?? defaults;
  return webhookUrl ? channels : channels.filter((c) => c !== "WEBHOOK");
}

/** The kind's channels with one turned on or off. In-app is kept while any channel is on (the
 * service adds it back anyway); turning it off turns the kind off, which only ``CAN_BE_OFF`` may. */
export function toggled(
  chosen: Chosen,
  kind: NotificationKind,
  channel: NotificationChannel,
  webhookUrl: string,
): Chosen {
  const now = channelsOf(chosen, kind, webhookUrl);
  const on = !now.includes(channel);
  let next: NotificationChannel[];
  if (channel === "IN_APP") {
    if (kind !== CAN_BE_OFF) return chosen;
    next = on ? ["IN_APP"] : [];
  } else {
    const others = on ? [...now, channel] : now.filter((c) => c !== channel);
    next = CHANNELS.filter((c) => c === "IN_APP" || others.includes(c));
  }
  return { ...chosen, [kind]: next };
}

/** The chosen kinds as the API takes them (no webhook without a URL). */
export function toInput(chosen: Chosen, webhookUrl: string) {
  return KINDS.filter((kind) => chosen[kind] !== undefined).map((kind) => ({
    kind,
    channels: channelsOf(chosen, kind, webhookUrl),
  }));
}

/** A table of the notification kinds against the channels, each a checkbox. */
export function KindChannels({
  chosen,
  onChange,
  webhookUrl,
}: {
  chosen: Chosen;
  onChange: (chosen: Chosen) => void;
  webhookUrl: string;
}) {
  const { t } = useTranslation();
  return (
    <div className="table-wrap">
      <table className="channels">
        <caption>{t("prefs.channelsHint")}</caption>
        <thead>
          <tr>
            <th scope="col">{t("prefs.kind")}</th>
            {CHANNELS.map((channel) => (
              <th key={channel} scope="col">
                {t(`channel.${channel}`)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {KINDS.map((kind) => {
            const on = channelsOf(chosen, kind, webhookUrl);
            return (
              <tr key={kind}>
                <th scope="row">{t(`kinds.${kind}`)}</th>
                {CHANNELS.map((channel) => (
                  <td key={channel}>
                    <input
                      type="checkbox"
                      aria-label={`${t(`kinds.${kind}`)}: ${t(`channel.${channel}`)}`}
                      checked={on.includes(channel)}
                      disabled={
                        (channel === "IN_APP" && kind !== CAN_BE_OFF) ||
                        (channel === "WEBHOOK" && !webhookUrl)
                      }
                      onChange={() => onChange(toggled(chosen, kind, channel, webhookUrl))}
                    />
                  </td>
                ))}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { useMutation, useQuery } from "urql";
import { useProfileLanguage } from "../api/participation";
import { KindChannels, toInput, type Chosen } from "../components/KindChannels";
import { LanguageSwitch } from "../components/Layout";
import { MyData } from "../components/MyData";
import { Loading, MutationProblem, Problem } from "../components/Problem";
import { graphql } from "../gql";
import type { DigestMode } from "../gql/graphql";

const PreferencesQuery = graphql(`
  query Preferences {
    notificationPreferences {
      digest
      digestHour
      timezone
      email
      webhookUrl
      quietHours {
        start
        end
      }
      channels {
        kind
        channels
      }
    }
  }
`);

const SavePreferences = graphql(`
  mutation SavePreferences($input: NotificationPreferencesInput!) {
    updateNotificationPreferences(input: $input) {
      __typename
      ... on NotificationPreferences {
        digest
        digestHour
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

/** How I want to be told, and the app's language. */
export function Preferences() {
  const { t } = useTranslation();
  const chooseLanguage = useProfileLanguage();
  const [result] = useQuery({ query: PreferencesQuery });
  const loaded = result.data?.notificationPreferences;
  const [digest, setDigest] = useState<DigestMode>("IMMEDIATE");
  const [hour, setHour] = useState("8");
  const [quietStart, setQuietStart] = useState("");
  const [quietEnd, setQuietEnd] = useState("");
  const [timezone, setTimezone] = useState("");
  const [email, setEmail] = useState("");
  const [webhookUrl, setWebhookUrl] = useState("");
  const [chosen, setChosen] = useState<Chosen>({});
  const [state, save] = useMutation(SavePreferences);
  const answer = state.data?.updateNotificationPreferences;

  useEffect(() => {
    if (!loaded) return;
    setDigest(loaded.digest);
    setHour(String(loaded.digestHour));
    setQuietStart(loaded.quietHours?.start ?? "");
    setQuietEnd(loaded.quietHours?.end ?? "");
    setTimezone(loaded.timezone ?? "");
    setEmail(loaded.email ?? "");
    setWebhookUrl(loaded.webhookUrl ?? "");
    setChosen(Object.fromEntries(loaded.channels.map((c) => [c.kind, c.channels])));
  }, [loaded]);

  if (result.fetching && !result.data) return <Loading />;
  return (
    <>
      <h1>{t("prefs.heading")}</h1>
      <section className="card">
        <h2>{t("language.label")}</h2>
        <LanguageSwitch onChange={chooseLanguage} />
      </section>
      <Problem error={result.error} />
      <form
        className="card"
        aria-labelledby="notify-title"
        onSubmit={(event) => {
          event.preventDefault();
          void save({
            input: {
              channels: toInput(chosen, webhookUrl),
              digest,
              digestHour: Number(hour),
              quietHours: quietStart && quietEnd ? { start: quietStart, end: quietEnd } : null,
              timezone: timezone || null,
              email: email || null,
              webhookUrl: webhookUrl || null,
            },
          });
        }}
      >
        <h2 id="notify-title">{t("prefs.notifications")}</h2>
        <fieldset>
          <legend>{t("prefs.digest")}</legend>
          {(["IMMEDIATE", "DAILY"] as const).map((mode) => (
            <label key={mode} className="level">
              <input
                type="radio"
                name="digest"
                checked={digest === mode}
                onChange={() => setDigest(mode)}
              />{" "}
              {t(`prefs.${mode}`)}
            </label>
          ))}
        </fieldset>
        <label>
          {t("prefs.digestHour")}{" "}
          <input
            type="number"
            min={0}
            max={23}
            value={hour}
            onChange={(e) => setHour(e.target.value)}
          />
        </label>
        <fieldset>
          <legend>{t("prefs.quiet")}</legend>
          <label>
            {t("prefs.from")}{" "}
            <input type="time" value={quietStart} onChange={(e) => setQuietStart(e.target.value)} />
          </label>{" "}
          <label>
            {t("prefs.to")}{" "}
            <input type="time" value={quietEnd} onChange={(e) => setQuietEnd(e.target.value)} />
          </label>
        </fieldset>
        <label className="block">
          {t("prefs.timezone")}
          <input
            value={timezone}
            onChange={(e) => setTimezone(e.target.value)}
            placeholder="Europe/Paris"
          />
        </label>
        <label className="block">
          {t("prefs.email")}
          <input type="email" value={email} onChange={(e) => setEmail(e.target.value)} />
        </label>
        <label className="block">
          {t("prefs.webhookUrl")}
          <input
            type="url"
            value={webhookUrl}
            onChange={(e) => setWebhookUrl(e.target.value)}
            placeholder="https://"
          />
        </label>
        <details>
          <summary>{t("prefs.channels")}</summary>
          <KindChannels chosen={chosen} onChange={setChosen} webhookUrl={webhookUrl} />
        </details>
        <button type="submit" disabled={state.fetching}>
          {t("prefs.save")}
        </button>
        {answer?.__typename === "NotificationPreferences" ? (
          <p role="status">{t("prefs.saved")}</p>
        ) : null}
        <Problem error={state.error} />
        <MutationProblem result={answer} />
      </form>
      <MyData />
    </>
  );
}

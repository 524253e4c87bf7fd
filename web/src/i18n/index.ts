import i18n from "i18next";
import { initReactI18next } from "react-i18next";
import { en } from "./en";
import { fr } from "./fr";

export const LANGUAGES = ["en", "fr"] as const;
export type Language = (typeof LANGUAGES)[number];
const KEY = "mentorship.language";

/** The language chosen in this browser, if one was. */
export function savedLanguage(): Language | null {
  const saved = localStorage.getItem(KEY);
  return saved === "en" || saved === "fr" ? saved : null;
}

function initial(): Language {
  return savedLanguage() ?? (navigator.language.toLowerCase().startsWith("fr") ? "fr" : "en");
}

/** The app's language, set on <html lang>; a language the user chose is kept in this browser
 * (``save``), one taken from their profile is not. */
export function setLanguage(language: Language, { save = true } = {}): void {
  if (save) localStorage.setItem(KEY, language);
  void i18n.changeLanguage(language);
}

i18n.on("languageChanged", (language) => {
  document.documentElement.lang = language;
});

void i18n.use(initReactI18next).init({
  resources: { en: { translation: en }, fr: { translation: fr } },
  lng: initial(),
  fallbackLng: "en",
  interpolation: { escapeValue: false },
});
document.documentElement.lang = i18n.language;

export default i18n;

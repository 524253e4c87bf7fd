import { describe, expect, it } from "vitest";
import i18n, { setLanguage } from ".";
import { en } from "./en";
import { fr } from "./fr";

function keys(tree: object, prefix = ""): string[] {
  return Object.entries(tree).flatMap(([key, value]) =>
    typeof value === "string" ? [prefix + key] : keys(value as object, `${prefix}${key}.`),
  );
}

describe("translations", () => {
  it("French has every English text, and no empty one", () => {
    expect(keys(fr).sort()).toEqual(keys(en).sort());
    for (const key of keys(fr)) expect(i18n.t(key, { lng: "fr", count: 2 })).not.toBe("");
  });

  it("switching the language is kept in the browser and set on the page", async () => {
    setLanguage("fr");
    await Promise.resolve();

    expect(i18n.t("nav.path")).toBe("Mon parcours");
    expect(document.documentElement.lang).toBe("fr");
    expect(localStorage.getItem("mentorship.language")).toBe("fr");
    setLanguage("en");
  });
});

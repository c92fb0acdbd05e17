// User-facing text comes from the catalogs in web/i18n/ (Dutch by default). Method
// texts arrive localized from the server as {nl, en}.

/** @typedef {"nl" | "en"} Lang */
/** @typedef {import("../types/protocol").Localized} Localized */

export const LANGS = /** @type {const} */ (["nl", "en"]);
const STORAGE_KEY = "iv.lang";

/** @type {Record<string, string>} */
let catalog = {};
/** @type {Lang} */
let current = "nl";

/** The language the user chose, if any. */
export function storedLang() {
  const value = localStorage.getItem(STORAGE_KEY);
  return value === "nl" || value === "en" ? value : null;
}

/**
 * Load the catalog of `lang` and make it current.
 * @param {Lang} lang
 * @param {boolean} [remember] store the choice for later visits
 */
export async function setLang(lang, remember = false) {
  const response = await fetch(`/static/i18n/${lang}.json`);
  if (!response.ok) throw new Error(`catalog ${lang}: ${response.status}`);
  catalog = await response.json();
  current = lang;
  document.documentElement.lang = lang;
  if (remember) localStorage.setItem(STORAGE_KEY, lang);
}

/** @returns {Lang} */
export function lang() {
  return current;
}

/**
 * The catalog text for `key`, with `{name}` placeholders filled in.
 * @param {string} key
 * @param {Record<string, string | number>} [vars]
 */
export function t(key, vars = {}) {
  const text = catalog[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in vars ? String(vars[name]) : `{${name}}`));
}

/**
 * The text for a count `n`: the catalog's `key.one` (or another plural form of the
 * language) where it has one, else `key`; `{n}` is filled in.
 * @param {string} key
 * @param {number} n
 * @param {Record<string, string | number>} [vars]
 */
export function tn(key, n, vars = {}) {
  const form = `${key}.${new Intl.PluralRules(current).select(n)}`;
  return t(form in catalog ? form : key, { ...vars, n });
}

/**
 * Whether the current catalog has `key`.
 * @param {string} key
 */
export function has(key) {
  return key in catalog;
}

/**
 * The text of a method field in the current language.
 * @param {Localized | null | undefined} text
 */
export function loc(text) {
  return text ? text[current] : "";
}

/**
 * The explanation of an error, rejection or close code.
 * @param {string} code
 */
export function explain(code) {
  return has(`error.${code}`) ? t(`error.${code}`) : t("error.unknown", { code });
}

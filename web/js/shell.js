// Pieces shared by the pages: the top bar with the language switch, copyable links.

import { h } from "./dom.js";
import { lang, t } from "./i18n.js";

/**
 * The top bar: product name, what the page adds, and the language switch.
 * @param {...(HTMLElement | null)} extra
 */
export function brandHeader(...extra) {
  const other = lang() === "nl" ? "en" : "nl";
  return h("header", { class: "topbar" },
    h("a", { class: "skip-link", href: "#main" }, t("app.skip")),
    h("a", { class: "brand", href: "/" }, h("span", { class: "brand-mark", "aria-hidden": "true" }), t("app.name")),
    h("div", { class: "topbar-extra" }, extra),
    h("button", { type: "button", class: "btn btn-small btn-quiet lang-switch", "data-action": "lang", "data-lang": other, lang: other },
      t("app.switch_lang")));
}

/**
 * A read-only field with a link and a copy button.
 * @param {string} id
 * @param {string} label
 * @param {string} value
 */
export function copyField(id, label, value) {
  return h("div", { class: "copy-field", "data-key": id },
    h("label", { for: id }, label),
    h("div", { class: "copy-row" },
      h("input", { id, readonly: true, value, "data-copy-source": "" }),
      h("button", { type: "button", class: "btn btn-small", "data-action": "copy", "data-copy": value, "aria-label": t("copy.named", { what: label }) }, t("copy.button"))));
}

/**
 * Put text on the clipboard; false if the browser refused.
 * @param {string} text
 */
export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

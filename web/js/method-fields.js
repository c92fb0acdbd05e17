// Form fields of the method editor, each bound to a field path of the draft
// (`data-path`) and marked as the place for the loader's problems at that path
// (`data-anchor`).

import { h } from "./dom.js";
import { t } from "./i18n.js";
import { getAt } from "./method-draft.js";

/** @typedef {import("./method-draft.js").Draft} Draft */
/** @typedef {import("./api.js").Preview} Preview */
/**
 * What the form is drawn from: the draft and the editor's view state.
 * @typedef {object} FormView
 * @property {Draft | null} draft
 * @property {(part: object) => string} uid a stable key per step, section and lane
 * @property {Set<string>} open uids of the unfolded steps and sections
 * @property {number | null} dragFrom
 * @property {number | null} dropAt
 * @property {number} previewStep
 * @property {"facilitator" | "presenter" | "participant"} previewRole
 * @property {Preview | null} preview
 * @property {boolean} previewStale
 */

/**
 * An element id for the control of a field path.
 * @param {string} path
 */
export function fieldId(path) {
  return `ed${path.replace(/[^A-Za-z0-9]+/g, "-")}`;
}

/**
 * A labelled text, number or long-text field bound to `path`.
 * @param {FormView} view
 * @param {string} path
 * @param {string} label
 * @param {{type?: "text" | "int", long?: boolean, hint?: string, width?: string}} [opts]
 */
export function field(view, path, label, opts = {}) {
  const id = fieldId(path);
  const value = getAt(/** @type {Draft} */ (view.draft), path);
  const shown = value === undefined || value === null ? "" : String(value);
  const attrs = {
    id, "data-path": path, "data-type": opts.type ?? "text", "data-anchor": path,
    "aria-describedby": opts.hint ? `${id}-hint` : null,
  };
  const control = opts.long
    ? h("textarea", { ...attrs, rows: "3" }, shown)
    : h("input", { ...attrs, type: opts.type === "int" ? "number" : "text", inputmode: opts.type === "int" ? "numeric" : null, value: shown, class: opts.width ?? null });
  if (opts.long) /** @type {HTMLTextAreaElement} */ (control).value = shown;
  return h("div", { class: "field" },
    h("label", { for: id }, label),
    control,
    opts.hint ? h("p", { class: "hint", id: `${id}-hint` }, opts.hint) : null);
}

/**
 * Dutch and English side by side.
 * @param {FormView} view
 * @param {string} path
 * @param {string} label
 * @param {boolean} [long]
 */
export function localized(view, path, label, long = false) {
  return h("div", { class: "field-pair", "data-anchor": path },
    field(view, `${path}.nl`, `${label} (${t("editor.lang_nl")})`, { long }),
    field(view, `${path}.en`, `${label} (${t("editor.lang_en")})`, { long }));
}

/**
 * A checkbox bound to a boolean at `path`.
 * @param {FormView} view
 * @param {string} path
 * @param {string} label
 * @param {string} [hint]
 */
export function checkbox(view, path, label, hint) {
  const id = fieldId(path);
  return h("div", { class: "field field-check", "data-anchor": path },
    h("input", { type: "checkbox", id, "data-path": path, "data-type": "bool", checked: Boolean(getAt(/** @type {Draft} */ (view.draft), path)), "aria-describedby": hint ? `${id}-hint` : null }),
    h("label", { for: id }, label),
    hint ? h("p", { class: "hint", id: `${id}-hint` }, hint) : null);
}

/**
 * Checkboxes for a list of values at `path`; values the list holds that are not
 * among `choices` (an unknown role from an import) are shown too, so the loader's
 * message has a place.
 * @param {FormView} view
 * @param {string} path
 * @param {string} legend
 * @param {readonly string[]} choices
 * @param {(value: string) => string} label
 */
export function checklist(view, path, legend, choices, label) {
  const current = getAt(/** @type {Draft} */ (view.draft), path);
  const list = Array.isArray(current) ? current.map(String) : [];
  const extra = list.map((value, index) => ({ value, index })).filter(({ value }) => !choices.includes(value));
  const base = fieldId(path);
  return h("fieldset", { class: "field checklist", "data-anchor": path },
    h("legend", {}, legend),
    h("div", { class: "checks" },
      choices.map((value) => h("span", { class: "check" },
        h("input", { type: "checkbox", id: `${base}-${value}`, "data-list": path, value, checked: list.includes(value) }),
        h("label", { for: `${base}-${value}` }, label(value)))),
      extra.map(({ value, index }) => h("span", { class: "check check-unknown", "data-anchor": `${path}[${index}]` },
        h("input", { type: "checkbox", id: `${base}-x${index}`, "data-list": path, value, checked: true }),
        h("label", { for: `${base}-x${index}` }, value)))));
}

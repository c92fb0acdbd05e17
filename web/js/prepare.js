// Case preparation (phase 0): a member prepares a case in their own browser before
// the meeting. The draft lives only in this browser's localStorage; nothing of it is
// sent anywhere until the member brings it into the case-choice step with one action
// (an ordinary add_item in the cases section).

import { h, randomId } from "./dom.js";
import { t } from "./i18n.js";

/** The checklist for a good case question (from the source documents). */
export const CHECKS = /** @type {const} */ (["self", "role", "urgent", "forward", "actor"]);
const FIELDS = /** @type {const} */ (["question", "facts", "experience"]);
const MAX_TEXT = 2000;

/**
 * @typedef {object} Draft
 * @property {string} question
 * @property {string} facts
 * @property {string} experience
 * @property {string[]} checks the ticked items of CHECKS
 * @property {string | null} brought the id of the item it became, once brought in
 */

/** @returns {Draft} */
function empty() {
  return { question: "", facts: "", experience: "", checks: [], brought: null };
}

/** @param {string} sessionId */
function storageKey(sessionId) {
  return `iv.prep.${sessionId}`;
}

/**
 * The member's draft for this session (an empty one if there is none).
 * @param {string} sessionId
 * @returns {Draft}
 */
export function loadDraft(sessionId) {
  try {
    const raw = localStorage.getItem(storageKey(sessionId));
    if (raw) return { ...empty(), ...JSON.parse(raw) };
  } catch {
    // a broken entry starts afresh
  }
  return empty();
}

/**
 * @param {string} sessionId
 * @param {Draft} draft
 */
export function saveDraft(sessionId, draft) {
  localStorage.setItem(storageKey(sessionId), JSON.stringify(draft));
}

/** @param {string} sessionId */
export function clearDraft(sessionId) {
  localStorage.removeItem(storageKey(sessionId));
}

/**
 * Update the draft from one of the panel's fields (an input event).
 * @param {string} sessionId
 * @param {HTMLElement} field
 * @returns {boolean} whether the field belonged to the draft
 */
export function onDraftInput(sessionId, field) {
  const name = field.dataset.prep;
  if (!name) return false;
  const draft = loadDraft(sessionId);
  if (field instanceof HTMLInputElement && field.type === "checkbox") {
    const checks = new Set(draft.checks);
    if (field.checked) checks.add(name);
    else checks.delete(name);
    draft.checks = CHECKS.filter((c) => checks.has(c));
  } else if (field instanceof HTMLTextAreaElement && (FIELDS).some((f) => f === name)) {
    draft[/** @type {typeof FIELDS[number]} */ (name)] = field.value.slice(0, MAX_TEXT);
  }
  saveDraft(sessionId, draft);
  return true;
}

/**
 * The text of the case as it goes onto the board: the question first, then the facts
 * and how it was experienced.
 * @param {Draft} draft
 */
export function caseText(draft) {
  const parts = [draft.question.trim()];
  if (draft.facts.trim()) parts.push(`${t("prep.facts_short")}: ${draft.facts.trim()}`);
  if (draft.experience.trim()) parts.push(`${t("prep.experience_short")}: ${draft.experience.trim()}`);
  return parts.filter(Boolean).join("\n\n").slice(0, MAX_TEXT);
}

/**
 * The preparation panel.
 * @param {Draft} draft
 * @param {{canBring: boolean, joined: boolean}} where whether the case-choice step is open to the viewer
 */
export function prepPanel(draft, where) {
  const ready = draft.question.trim().length > 0;
  const field = (/** @type {typeof FIELDS[number]} */ name, rows = 3) => [
    h("label", { for: `prep-${name}` }, t(`prep.${name}`)),
    h("p", { class: "hint", id: `prep-${name}-hint` }, t(`prep.${name}_hint`)),
    h("textarea", { id: `prep-${name}`, "data-key": `prep-${name}`, "data-prep": name, rows: String(rows), maxlength: String(MAX_TEXT), "aria-describedby": `prep-${name}-hint` }, draft[name]),
  ];
  return h("section", { class: "panel prep-panel", "data-key": "prep", "aria-labelledby": "prep-title" },
    h("h2", { id: "prep-title" }, t("prep.title")),
    h("p", { class: "hint" }, t("prep.private")),
    h("div", { class: "stack" },
      field("facts", 4), field("experience", 3), field("question", 2),
      h("fieldset", { class: "prep-checks" },
        h("legend", {}, t("prep.checklist")),
        CHECKS.map((check) => h("label", { class: "check", "data-key": `prep-check-${check}` },
          h("input", { type: "checkbox", "data-prep": check, checked: draft.checks.includes(check) }),
          " ", t(`prep.check.${check}`))))),
    draft.brought
      ? h("p", { class: "prep-done", role: "status" }, t("prep.brought"),
        " ", h("button", { type: "button", class: "btn btn-small btn-quiet", "data-action": "prep-clear" }, t("prep.clear")))
      : h("div", { class: "prep-bring" },
        where.joined ? h("button", { type: "button", class: "btn btn-primary", "data-action": "prep-bring", disabled: !(where.canBring && ready), "aria-describedby": "prep-bring-hint" }, t("prep.bring")) : null,
        h("p", { class: "hint", id: "prep-bring-hint" },
          !where.joined ? t("prep.join_first") : !ready ? t("prep.need_question") : where.canBring ? t("prep.bring_hint") : t("prep.wait_for_step"))));
}

/**
 * Bring the draft into the case-choice step as one new case; true when it went out.
 * Until this moment nothing of the draft left the browser.
 * @param {string} sessionId
 * @param {(op: import("./connection.js").OpInput) => import("./connection.js").Op | null} send
 */
export function bringDraft(sessionId, send) {
  const draft = loadDraft(sessionId);
  const text = caseText(draft);
  if (!text) return false;
  const op = send({ type: "add_item", item_id: randomId(12), section: "cases", text });
  if (!op || op.type !== "add_item") return false;
  draft.brought = op.item_id;
  saveDraft(sessionId, draft);
  return true;
}

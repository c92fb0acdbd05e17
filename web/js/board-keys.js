// Keyboard shortcuts of the board: Enter sends a text field's form (Shift+Enter makes a
// new line), Escape leaves the edit form; on a focused item the arrow keys go to the
// next or previous item (or move a sticky note, Shift for bigger steps), Enter or F2
// edits it and the rating letters rate it. Returns what to do as an Outcome of the
// action table; moving the focus between items it does itself.

import { t } from "./i18n.js";
import { stopEditing } from "./board-actions.js";
import { FOLLOW_KEY } from "./facilitation.js";

/** @typedef {import("./board-actions.js").ActionContext} ActionContext */
/** @typedef {import("./board-actions.js").Outcome} Outcome */

const MOVE_STEP = 16;
const MOVE_STEP_BIG = 64;

/**
 * @param {KeyboardEvent} event
 * @param {ActionContext} ctx
 * @param {HTMLElement} root the board element, to find the items in
 * @returns {Outcome | null}
 */
export function keyOutcome(event, ctx, root) {
  const target = event.target;
  if (target instanceof HTMLTextAreaElement) return textKey(event, target, ctx);
  if (!(target instanceof HTMLLIElement) || !target.dataset.item) return null;
  const id = target.dataset.item;
  if (!ctx.model) return null;
  if (target.dataset.movable && event.key.startsWith("Arrow")) {
    event.preventDefault();
    const item = ctx.items.get(id);
    if (!item) return null;
    const step = event.shiftKey ? MOVE_STEP_BIG : MOVE_STEP;
    const dx = event.key === "ArrowLeft" ? -step : event.key === "ArrowRight" ? step : 0;
    const dy = event.key === "ArrowUp" ? -step : event.key === "ArrowDown" ? step : 0;
    return { send: [{ type: "move_item", item_id: id, x: Math.max(0, item.x + dx), y: Math.max(0, item.y + dy) }] };
  }
  if (event.key === "ArrowDown" || event.key === "ArrowUp") {
    event.preventDefault();
    const list = [...root.querySelectorAll("li[data-item][tabindex]")];
    const index = list.indexOf(target);
    const next = list[index + (event.key === "ArrowDown" ? 1 : -1)];
    if (next instanceof HTMLElement) next.focus();
    return null;
  }
  if ((event.key === "Enter" || event.key === "F2") && target.dataset.editable) {
    event.preventDefault();
    return { view: { editing: id } };
  }
  if (target.dataset.rateable && !event.ctrlKey && !event.metaKey && !event.altKey) {
    const keys = { [t("rating.short.cold").toLowerCase()]: "cold", [t("rating.short.warm").toLowerCase()]: "warm", [t("rating.short.neutral").toLowerCase()]: "neutral" };
    const rating = /** @type {"cold" | "warm" | "neutral" | undefined} */ (keys[event.key.toLowerCase()]);
    if (rating) {
      event.preventDefault();
      return { send: [{ type: "rate_item", item_id: id, rating }] };
    }
  }
  return null;
}

/**
 * Enter sends the form; Escape leaves the edit form.
 * @param {KeyboardEvent} event
 * @param {HTMLTextAreaElement} area
 * @param {ActionContext} ctx
 * @returns {Outcome | null}
 */
function textKey(event, area, ctx) {
  const form = area.form;
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing && form) {
    event.preventDefault();
    form.requestSubmit();
  } else if (event.key === "Escape" && form?.dataset.action === "save") {
    event.preventDefault();
    return stopEditing(ctx.view);
  }
  return null;
}

/**
 * The key that stops or starts following the spotlight (F), pressed anywhere but in a
 * field the member is typing in.
 * @param {KeyboardEvent} event
 */
export function isFollowKey(event) {
  const target = event.target;
  if (event.key.toLowerCase() !== FOLLOW_KEY || event.ctrlKey || event.metaKey || event.altKey) return false;
  if (target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return false;
  return !(target instanceof HTMLElement && target.isContentEditable);
}

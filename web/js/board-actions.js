// The action table: for each data-action the render modules put on a control, the
// function that says what using it does. Each entry is pure: from what the control
// carries (ActionInput) and the board as shown (ActionContext) it builds the ops to
// send, the changes to the view state and the effects the element carries out (focus,
// clipboard, download, joining); it sends, stores and touches nothing itself. The
// server decides: ops go out as the viewer asks, the answer comes back as events.

import { randomId } from "./dom.js";
import { notePosition } from "./sections.js";
import { ADD_SECONDS } from "./board-timer.js";
import { roundSpeakers } from "./facilitation.js";

/** @typedef {import("./connection.js").OpInput} OpInput */
/** @typedef {import("./model.js").BoardModel} BoardModel */
/** @typedef {import("./model.js").ViewItem} ViewItem */
/** @typedef {import("./model.js").Role} Role */
/** @typedef {import("./board-state.js").ViewState} ViewState */
/** @typedef {import("./board-state.js").ViewChange} ViewChange */
/** @typedef {import("../types/protocol").Item} Item */

/** The longest item text and display name the board sends. */
const MAX_TEXT = 2000;
const MAX_NAME = 60;
/** First words that carry a prefix's sentence on ("Mijn probleem is dat ..."). */
const CONTINUES = new Set(["dat", "hoe", "wat", "waarom", "of", "om", "that", "how", "what", "why", "whether", "to"]);

/**
 * What the element read from the control that was used.
 * @typedef {object} ActionInput
 * @property {Record<string, string | undefined>} data the control's data-* attributes
 * @property {boolean} pressed a toggle button's aria-pressed
 * @property {Record<string, string>} fields a submitted form's fields by name
 * @property {string} prefix the text prefix of a submitted form's text field ("" if none)
 * @property {string} value a changed select's value
 */

/**
 * The board as shown when the control was used.
 * @typedef {object} ActionContext
 * @property {BoardModel | null} model
 * @property {Map<string, ViewItem>} items the items as shown (own unanswered ops laid over)
 * @property {ViewState} view
 */

/**
 * What the element does after an action, besides sending and changing the view state.
 * @typedef {{kind: "download", format: string}
 *   | {kind: "copy", text: string}
 *   | {kind: "join", name: string}
 *   | {kind: "reconnect", takeOver: boolean}
 *   | {kind: "focus-after-render", selector: string}
 *   | {kind: "focus-near", item: string}
 *   | {kind: "focus-item", item: string}
 *   | {kind: "reset-add-form"}
 *   | {kind: "forget-hint", key: string}
 *   | {kind: "prep-bring"}
 *   | {kind: "prep-clear"}} Effect
 */

/**
 * What an action does: ops to send in order, view state changes, then effects.
 * @typedef {object} Outcome
 * @property {OpInput[]} [send]
 * @property {ViewChange} [view]
 * @property {Effect[]} [effects]
 */

/**
 * @typedef {object} Action
 * @property {"click" | "submit" | "change"} on the DOM event that triggers it (a button, a form, a select)
 * @property {(input: ActionInput, ctx: ActionContext) => Outcome | null} build null: nothing to do
 */

/**
 * @param {Action["build"]} build
 * @returns {Action}
 */
const click = (build) => ({ on: "click", build });

/**
 * @param {OpInput} op
 * @param {ViewChange} [view]
 * @returns {Outcome}
 */
const send = (op, view) => (view ? { send: [op], view } : { send: [op] });

/**
 * Close the edit form and put the focus back on the item.
 * @param {ViewState} view
 * @returns {Outcome}
 */
export function stopEditing(view) {
  return { view: { editing: null }, effects: view.editing ? [{ kind: "focus-item", item: view.editing }] : [] };
}

/** @type {Record<string, Action>} */
export const ACTIONS = {
  // -- the view only ------------------------------------------------------------------
  dismiss: click(() => ({ view: { notice: null } })),
  copy: click(({ data }) => ({ effects: [{ kind: "copy", text: data.copy ?? "" }] })),
  export: click(({ data }) => ({ effects: [{ kind: "download", format: data.format ?? "" }] })),
  edit: click(({ data }) => ({ view: { editing: data.item ?? "" } })),
  "cancel-edit": click((_, { view }) => stopEditing(view)),
  ask: click(({ data }) => ({
    view: { confirm: data.confirm ?? null },
    effects: [{ kind: "focus-after-render", selector: `[data-person="${data.confirm?.replace(/^\w+-/, "")}"] .person-actions button` }],
  })),
  "confirm-cancel": click(() => ({ view: { confirm: null } })),
  "close-ask": click(() => ({ view: { confirm: "close" }, effects: [{ kind: "focus-after-render", selector: "[data-action=close-confirm]" }] })),
  "close-cancel": click(() => ({ view: { confirm: null } })),

  // -- items ----------------------------------------------------------------------------
  delete: click(({ data }) => ({
    send: [{ type: "delete_item", item_id: data.item ?? "" }],
    effects: [{ kind: "focus-near", item: data.item ?? "" }],
  })),
  rate: click(({ data }, { items }) => {
    const item = data.item ?? "";
    const rating = /** @type {"cold" | "warm" | "neutral"} */ (data.rating);
    return send({ type: "rate_item", item_id: item, rating: items.get(item)?.rating === rating ? null : rating });
  }),
  choose: click(({ data, pressed }) => send({ type: "choose_item", item_id: data.item ?? "", chosen: !pressed })),
  circle: click(({ data, pressed }) => send({ type: "circle_item", item_id: data.item ?? "", circled: !pressed })),
  vote: click(({ data }) => send({ type: "vote", item_id: data.item ?? "", delta: data.delta === "-1" ? -1 : 1 })),
  color: {
    on: "change",
    build: ({ data, value }, { items }) => {
      const item = items.get(data.item ?? "");
      if (!item) return null;
      return send({ type: "move_item", item_id: item.id, x: item.x, y: item.y, color: /** @type {Item["color"]} */ (value) });
    },
  },
  add: { on: "submit", build: addItem },
  save: {
    on: "submit",
    build: ({ data, fields }, { items, view }) => {
      const id = data.item ?? "";
      const text = (fields.text ?? "").trim();
      const item = items.get(id);
      const done = stopEditing(view);
      return text && item && text !== item.text ? { ...done, send: [{ type: "edit_item", item_id: id, text: text.slice(0, MAX_TEXT) }] } : done;
    },
  },

  // -- the facilitator's controls -------------------------------------------------------
  step: click(({ data }) => send({ type: "set_step", step: Number(data.step) })),
  lock: click(({ data }) => send({ type: "lock_section", section: data.section ?? "", locked: data.locked === "null" ? null : data.locked === "true" })),
  reveal: click(({ data }) => send({ type: "reveal_section", section: data.section ?? "" })),
  timer: click(({ data }) => {
    const action = /** @type {"start" | "pause" | "add" | "reset"} */ (data.timerAction);
    return send({ type: "set_timer", action, seconds: action === "add" ? ADD_SECONDS : 0 });
  }),
  role: click(({ data }) => send({ type: "assign_role", participant_id: data.pid ?? "", role: /** @type {Role} */ (data.role) }, { confirm: null })),
  remove: click(({ data }) => send({ type: "remove_participant", participant_id: data.pid ?? "" }, { confirm: null })),
  anonymous: click((_, { model }) => send({ type: "set_anonymous", anonymous: !model?.board.anonymous })),
  "export-toggle": click((_, { model }) => send({ type: "set_export", participants: !(model?.board.participant_export ?? true) })),
  "close-confirm": click(() => send({ type: "close_session" }, { confirm: null })),

  // -- leading the meeting: spotlight and go-rounds -------------------------------------
  spotlight: click(({ data, pressed }) => {
    if (pressed) return send({ type: "set_spotlight" });
    return data.item ? send({ type: "set_spotlight", item_id: data.item }) : send({ type: "set_spotlight", section: data.section ?? "" });
  }),
  "spotlight-off": click(() => send({ type: "set_spotlight" })),
  follow: click((_, { model }) => followToggle(model)),
  "round-turn": click(({ data }) => send({ type: "round_turn", action: data.turnAction === "pass" ? "pass" : "next", turn: Number(data.turn) })),
  "round-end": click(() => send({ type: "end_round" })),
  "round-start": {
    on: "submit",
    build: ({ fields }, { model }) => {
      if (!model) return null;
      const order = fields.order === "shuffled" ? "shuffled" : "seat";
      const seconds = Math.min(1800, Math.max(2, Number(fields.seconds) || 60));
      return send({ type: "start_round", order, seconds, speakers: roundSpeakers(model) });
    },
  },

  // -- case preparation (kept in this browser until brought in) ------------------------
  "prep-toggle": click((_, { view }) => ({
    view: { prepOpen: !view.prepOpen },
    effects: view.prepOpen ? [] : [{ kind: "focus-after-render", selector: "#prep-facts" }],
  })),
  "prep-bring": click(() => ({ effects: [{ kind: "prep-bring" }] })),
  "prep-clear": click(() => ({ effects: [{ kind: "prep-clear" }] })),

  // -- everyone -------------------------------------------------------------------------
  ready: click((_, { model }) => send({ type: "set_ready", ready: !model?.board.you_ready })),
  "move-start": click(({ data }) => ({ view: { moving: data.item ?? null } })),
  "move-cancel": click(() => ({ view: { moving: null } })),
  "focus-field": click(() => ({ effects: [{ kind: "focus-after-render", selector: "form.add-form textarea:not([disabled])" }] })),
  "take-over": click(() => ({ view: { roleTaken: false }, effects: [{ kind: "reconnect", takeOver: true }] })),
  "join-without-role": click(() => ({ effects: [{ kind: "reconnect", takeOver: false }] })),
  join: {
    on: "submit",
    build: ({ fields }) => {
      const name = (fields.name ?? "").trim().slice(0, MAX_NAME);
      return name ? { effects: [{ kind: "join", name }] } : null;
    },
  },
};

/**
 * A new item from the add form of a section (a lane, a sheet, under an idea, or a
 * note on the canvas at the next free place).
 * @param {ActionInput} input
 * @param {ActionContext} ctx
 * @returns {Outcome | null}
 */
function addItem({ data, fields, prefix }, { model }) {
  const text = (fields.text ?? "").trim();
  if (!text || !model) return null;
  const full = prefix ? withPrefix(prefix, text) : text;
  /** @type {OpInput} */
  const op = { type: "add_item", item_id: randomId(12), section: data.section ?? "", text: full.slice(0, MAX_TEXT) };
  if (data.lane) op.lane = data.lane;
  if (data.sheet && data.sheet !== "1") op.sheet = Number(data.sheet);
  if (data.parent) op.parent = data.parent;
  if (data.count !== undefined) {
    const pos = notePosition(Number(data.count));
    op.x = pos.x;
    op.y = pos.y;
    op.color = /** @type {Item["color"]} */ (fields.color ?? "yellow");
  }
  /** @type {Effect[]} */
  const effects = [{ kind: "reset-add-form" }];
  // the sent question's reading goes with it
  if (data.openQuestions === "true") effects.push({ kind: "forget-hint", key: data.key ?? "" });
  return { send: [op], effects };
}

/**
 * Stop or start following the spotlight (the facilitator leads, never follows).
 * @param {BoardModel | null} model
 * @returns {Outcome | null}
 */
export function followToggle(model) {
  if (!model || model.isFacilitator) return null;
  return send({ type: "set_follow", following: !model.follows(model.me) });
}

/**
 * The text with the section's prefix in front, unless the writer typed it already.
 * @param {string} prefix e.g. "Mijn probleem is ..."
 * @param {string} text
 */
export function withPrefix(prefix, text) {
  const stem = prefix.replace(/\s*(\.\.\.|…)\s*$/, "").trim();
  if (text.toLowerCase().startsWith(stem.toLowerCase())) return text;
  // as the server joins them (server/core/items.py, join_prefix)
  const first = (text.trim().split(/\s+/)[0] ?? "").toLowerCase();
  return CONTINUES.has(first) ? `${stem} ${text}` : `${stem}: ${text}`;
}

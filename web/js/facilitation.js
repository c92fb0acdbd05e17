// Leading the meeting: the spotlight bar, the go-round panel and the facilitator's
// notes. Pure functions from the model to elements; the board element turns their
// data-action clicks into ops. Who may do what is the server's rule: these views only
// show the controls the method data and the viewer's role suggest.

import { h } from "./dom.js";
import { loc, t } from "./i18n.js";
import { shorten } from "./section-items.js";

/** @typedef {import("./model.js").BoardModel} BoardModel */
/** @typedef {import("../types/protocol").Round} Round */

export const FOLLOW_KEY = "f";
const DEFAULT_SECONDS = 60;
const DEFAULT_ROLES = ["facilitator", "presenter", "participant"];

/**
 * A key for the spotlight's target, to notice when it moves.
 * @param {BoardModel} model
 */
export function spotlightKey(model) {
  const spot = model.board.spotlight;
  return spot ? `${spot.section}/${spot.item ?? ""}` : "";
}

/**
 * The element the spotlight points at, if it is shown.
 * @param {ParentNode} root
 * @param {BoardModel} model
 * @returns {HTMLElement | null}
 */
export function spotlightTarget(root, model) {
  const spot = model.board.spotlight;
  if (!spot) return null;
  const selector = spot.item
    ? `li[data-item="${CSS.escape(spot.item)}"]`
    : `section[data-section="${CSS.escape(spot.section)}"]`;
  const el = root.querySelector(selector);
  return el instanceof HTMLElement ? el : null;
}

/**
 * Where the spotlight is, in words.
 * @param {BoardModel} model
 */
export function spotlightLabel(model) {
  const spot = model.board.spotlight;
  if (!spot) return "";
  const section = loc(model.sectionDef(spot.section)?.title);
  const item = spot.item ? model.items.get(spot.item) : undefined;
  return item ? t("spotlight.on_item", { text: shorten(item.text), section }) : section;
}

/**
 * The bar that says where the facilitator points and whether you follow.
 * @param {BoardModel} model
 */
export function spotlightBar(model) {
  const spot = model.board.spotlight;
  if (!spot || model.board.closed) return h("div", { class: "spotlight-slot", "data-key": "spotlight" });
  const following = model.follows(model.me);
  const fac = model.isFacilitator;
  return h("section", { class: `spotlight-bar${following ? " is-following" : ""}`, "data-key": "spotlight", "aria-labelledby": "spotlight-title", "data-spotlight": spotlightKey(model) },
    h("p", { class: "spotlight-text" },
      h("span", { class: "spotlight-icon", "aria-hidden": "true" }, "➜"),
      h("strong", { id: "spotlight-title" }, t("spotlight.title")), " ",
      h("span", { "data-spotlight-label": "" }, spotlightLabel(model))),
    fac
      ? h("button", { type: "button", class: "btn btn-small btn-quiet", "data-action": "spotlight-off" }, t("spotlight.off"))
      : h("button", { type: "button", class: "btn btn-small", "data-action": "follow", "aria-pressed": String(following), "aria-keyshortcuts": "F" },
        t(following ? "spotlight.stop_following" : "spotlight.follow")),
    fac ? null : h("span", { class: "hint" }, t(following ? "spotlight.following_hint" : "spotlight.not_following_hint")));
}

/**
 * The facilitator's button that points the group at an item or a section.
 * @param {BoardModel} model
 * @param {{section: string, item?: string, label: string}} target
 */
export function spotlightButton(model, target) {
  if (!model.isFacilitator) return null;
  const spot = model.board.spotlight;
  const on = Boolean(spot && spot.section === target.section && (spot.item ?? null) === (target.item ?? null));
  return h("button", {
    type: "button", class: "btn btn-small btn-quiet btn-spotlight", "data-action": "spotlight",
    "data-section": target.section, "data-item": target.item ?? null, "aria-pressed": String(on),
    "aria-label": t(on ? "spotlight.pointed_named" : "spotlight.point_named", { what: target.label }),
  }, t(on ? "spotlight.pointed" : "spotlight.point"));
}

/**
 * Whether the spotlight is on this item or section.
 * @param {BoardModel} model
 * @param {string} section
 * @param {string | null} item
 */
export function isSpotlit(model, section, item) {
  const spot = model.board.spotlight;
  return Boolean(spot && spot.section === section && (spot.item ?? null) === item);
}

// -- go-rounds ----------------------------------------------------------------------------

/**
 * Seconds left in the current turn, from the server's deadline.
 * @param {Round} round
 */
export function roundSecondsLeft(round) {
  if (!round.deadline_ms) return 0;
  return Math.max(0, Math.ceil((round.deadline_ms - Date.now()) / 1000));
}

/** @param {number} seconds */
export function clock(seconds) {
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
}

/**
 * Members a round started now would have, in seat order: online, not removed, in
 * the roles the step's round names (the server checks the same).
 * @param {BoardModel} model
 */
export function roundSpeakers(model) {
  const roles = model.step.round?.roles ?? DEFAULT_ROLES;
  return [...model.participants.values()]
    .filter((p) => !p.removed && roles.includes(p.role) && model.online.has(p.id))
    .map((p) => p.id);
}

/**
 * The go-round: order, current speaker, time left, and the controls of the speaker
 * and the facilitator; for the facilitator without a round, the form to start one.
 * @param {BoardModel} model
 */
export function roundPanel(model) {
  const round = model.board.round;
  const fac = model.isFacilitator;
  const declared = model.step.round;
  const here = round && round.step === model.board.step ? round : null;
  if (model.board.closed || (!here && !fac)) return h("div", { class: "round-slot", "data-key": "round" });
  const active = here && here.active !== false ? here : null;
  /** @type {(HTMLElement | null)[]} */
  const body = [];
  if (here) {
    const current = active ? here.speakers[here.turn ?? 0] : null;
    body.push(h("ol", { class: "round-order" }, here.speakers.map((pid, index) => {
      const outcome = (here.outcomes ?? [])[index];
      const now = active && index === (here.turn ?? 0);
      const state = now ? "current" : outcome ?? (active ? "waiting" : "not_reached");
      return h("li", { class: `round-turn turn-${state}`, "data-key": `turn-${pid}`, "data-speaker": pid, "aria-current": now ? "true" : null },
        h("span", { class: "turn-name" }, model.nameOf(pid) || t("item.someone"), pid === model.me ? ` ${t("people.you")}` : ""),
        h("span", { class: "turn-state" }, t(`round.turn.${state}`)));
    })));
    if (active && current) {
      const mine = current === model.me;
      body.push(h("p", { class: "round-now", "aria-live": "polite" },
        mine ? t("round.your_turn") : t("round.speaking", { name: model.nameOf(current) }), " ",
        h("span", { class: "round-timer", role: "timer", "aria-label": t("round.time_left"), "data-round-timer": "" }, clock(roundSecondsLeft(active)))));
      const turn = String(active.turn ?? 0);
      body.push(h("div", { class: "round-controls" },
        mine ? h("button", { type: "button", class: "btn btn-primary btn-small", "data-action": "round-turn", "data-turn-action": "next", "data-turn": turn }, t("round.done")) : null,
        mine ? h("button", { type: "button", class: "btn btn-small", "data-action": "round-turn", "data-turn-action": "pass", "data-turn": turn }, t("round.pass")) : null,
        fac && !mine ? h("button", { type: "button", class: "btn btn-small", "data-action": "round-turn", "data-turn-action": "next", "data-turn": turn }, t("round.next")) : null,
        fac ? h("button", { type: "button", class: "btn btn-small btn-quiet", "data-action": "round-end" }, t("round.end")) : null));
    } else {
      body.push(h("p", { class: "hint" }, t("round.finished")));
    }
  }
  if (fac && !active) {
    const seconds = declared?.seconds ?? DEFAULT_SECONDS;
    const form = h("form", { class: "round-start", "data-action": "round-start", "data-key": `round-start-${model.board.step}` },
      h("label", { for: "round-order" }, t("round.order")),
      h("select", { id: "round-order", name: "order" },
        h("option", { value: "seat", selected: (declared?.order ?? "seat") === "seat" }, t("round.order.seat")),
        h("option", { value: "shuffled", selected: declared?.order === "shuffled" }, t("round.order.shuffled"))),
      h("label", { for: "round-seconds" }, t("round.seconds")),
      h("input", { id: "round-seconds", name: "seconds", type: "number", min: "2", max: "1800", value: String(seconds), inputmode: "numeric" }),
      h("button", { type: "submit", class: "btn btn-small btn-primary" }, t("round.start")));
    // a step whose method declares a round shows the form; elsewhere it waits folded
    body.push(declared || here ? form : h("details", { class: "round-more", "data-key": `round-more-${model.board.step}` },
      h("summary", { class: "btn btn-small btn-quiet" }, t("round.start_here")), form));
  }
  return h("section", { class: `round-panel${active ? " is-active" : ""}`, "data-key": "round", "aria-labelledby": "round-title", "data-deadline": active?.deadline_ms ? String(active.deadline_ms) : null },
    h("h2", { id: "round-title", tabindex: "-1" }, here ? t("round.title_n", { n: here.number }) : t("round.title"),
      declared && !here ? h("span", { class: "badge badge-open" }, t("round.declared")) : null),
    body);
}

// -- coaching -------------------------------------------------------------------------------

/**
 * The facilitator's notes for this step, beside the instruction.
 * @param {BoardModel} model
 */
export function notesAside(model) {
  const note = model.stepNote;
  if (!note) return null;
  return h("aside", { class: "facilitator-note", "aria-labelledby": "facilitator-note-title", "data-key": "facilitator-note" },
    h("h3", { id: "facilitator-note-title" }, t("notes.facilitator_title")),
    h("p", {}, loc(note)));
}

/**
 * Watch the spotlight across one event: ``moved`` says whether a follower's view must
 * bring it into sight (it moved, or the viewer started following), and announces a
 * move to screen readers.
 * @param {BoardModel} model
 */
export function spotlightWatch(model) {
  const before = spotlightKey(model);
  const followed = model.follows(model.me);
  return {
    /** @param {(line: string) => void} announce */
    moved(announce) {
      const now = spotlightKey(model);
      if (!now || !model.follows(model.me) || (now === before && followed)) return false;
      if (now !== before) announce(t("spotlight.announce", { what: spotlightLabel(model) }));
      return true;
    },
  };
}

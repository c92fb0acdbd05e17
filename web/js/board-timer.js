// The step's timer: its face (counting down to the server's deadline) and, for the
// facilitator, its controls. Pure functions of the model; the element ticks the face.

import { h } from "./dom.js";
import { clock, roundSecondsLeft } from "./facilitation.js";
import { t } from "./i18n.js";

/** @typedef {import("./model.js").BoardModel} BoardModel */
/** @typedef {import("../types/protocol").Timer} Timer */

/** Seconds the "add" control puts on the timer. */
export const ADD_SECONDS = 300;

/**
 * The timer's face: "m:ss", or the "over" text once a running timer reached zero.
 * @param {Timer} timer
 * @param {number} [now] ms since the epoch
 */
export function timerText(timer, now = Date.now()) {
  const ms = timer.running && timer.deadline_ms ? timer.deadline_ms - now : timer.remaining_ms ?? 0;
  const seconds = Math.max(0, Math.ceil(ms / 1000));
  if (timer.running && seconds === 0) return t("timer.over");
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  return `${m}:${String(s).padStart(2, "0")}`;
}

/**
 * Whether a running timer has run out.
 * @param {Timer} timer
 */
export function timerOver(timer) {
  return timer.running && timerText(timer) === t("timer.over");
}

/**
 * The timer with its label, face and (for the facilitator) controls.
 * @param {BoardModel} model
 */
export function timerBox(model) {
  const timer = model.board.timer;
  return h("div", { class: `timer${timer.running ? " is-running" : ""}${timerOver(timer) ? " is-over" : ""}` },
    h("span", { class: "timer-label" }, t("timer.label")),
    h("span", { class: "timer-value", role: "timer", "aria-label": t("timer.label"), "data-timer": "" }, timerText(timer)),
    model.isFacilitator ? h("div", { class: "timer-controls", role: "group", "aria-label": t("timer.controls") },
      h("button", { type: "button", class: "btn btn-small", "data-action": "timer", "data-timer-action": timer.running ? "pause" : "start" }, t(timer.running ? "timer.pause" : "timer.start")),
      h("button", { type: "button", class: "btn btn-small btn-quiet", "data-action": "timer", "data-timer-action": "add" }, t("timer.add")),
      h("button", { type: "button", class: "btn btn-small btn-quiet", "data-action": "timer", "data-timer-action": "reset" }, t("timer.reset"))) : null);
}

/**
 * Count the step timer and the go-round's turn down on the page between renders.
 * @param {ParentNode} root
 * @param {import("./model.js").BoardModel} model
 */
export function tickTimers(root, model) {
  const round = model.activeRound;
  const roundTimer = root.querySelector("[data-round-timer]");
  if (round && roundTimer) roundTimer.textContent = clock(roundSecondsLeft(round));
  const face = root.querySelector("[data-timer]");
  if (!face) return;
  const timer = model.board.timer;
  const text = timerText(timer);
  face.textContent = text;
  face.parentElement?.classList.toggle("is-over", timer.running && text === t("timer.over"));
}

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
  return Boolean(timer.running) && timerText(timer) === t("timer.over");
}

/**
 * Whether the timer runs, in words (nothing once it ran out: the face says so).
 * @param {Timer} timer
 */
function stateText(timer) {
  return timerOver(timer) ? "" : t(timer.running ? "timer.running" : "timer.paused");
}

/**
 * Count the timer box down between renders; returns whether it ran out.
 * @param {Element} box the element timerBox made
 * @param {Timer} timer
 */
export function showTimer(box, timer) {
  const face = box.querySelector("[data-timer]");
  const state = box.querySelector("[data-timer-state]");
  if (face) face.textContent = timerText(timer);
  if (state) state.textContent = stateText(timer);
  const over = timerOver(timer);
  box.classList.toggle("is-over", over);
  return over;
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
    h("span", { class: "timer-state", "data-timer-state": "" }, stateText(timer)),
    model.isFacilitator ? h("div", { class: "timer-controls", role: "group", "aria-label": t("timer.controls") },
      h("button", { type: "button", class: "btn btn-small", "data-action": "timer", "data-timer-action": timer.running ? "pause" : "start" }, t(timer.running ? "timer.pause" : "timer.start")),
      h("button", { type: "button", class: "btn btn-small btn-quiet", "data-action": "timer", "data-timer-action": "add" }, t("timer.add")),
      h("button", { type: "button", class: "btn btn-small btn-quiet", "data-action": "timer", "data-timer-action": "reset" }, t("timer.reset"))) : null);
}

/**
 * Count the step timer and the go-round's turn down on the page between renders.
 * @param {ParentNode} root
 * @param {import("./model.js").BoardModel} model
 * @returns {boolean} whether the running step timer has run out
 */
export function tickTimers(root, model) {
  const round = model.activeRound;
  const roundTimer = root.querySelector("[data-round-timer]");
  if (round && roundTimer) roundTimer.textContent = clock(roundSecondsLeft(round));
  const box = root.querySelector(".timer");
  return box ? showTimer(box, model.board.timer) : false;
}

// The method's steps: the progress bar (the facilitator jumps to a step from it), the
// current step's head (instruction, the viewer's role and rights, timer, ready, the
// facilitator's previous/next) and the head of a closed board. Pure functions of the
// model; rights are the server's (model.may), nothing is derived here.

import { notesAside } from "./facilitation.js";
import { h } from "./dom.js";
import { exportPanel } from "./export-panel.js";
import { loc, t } from "./i18n.js";
import { timerBox } from "./board-timer.js";

/** @typedef {import("./model.js").BoardModel} BoardModel */
/** @typedef {import("./model.js").Right} Right */

/**
 * Where a step stands, in words: "Stap 3 van 10" counts the method's own steps only;
 * the frame's steps are the start or the close of the session.
 * @param {BoardModel} model
 * @param {number} index
 */
export function stepPlace(model, index) {
  const steps = model.method.steps;
  const own = steps.filter((s) => !s.frame);
  const step = steps[index];
  if (step?.frame) return t(steps.slice(0, index).some((s) => !s.frame) ? "board.frame_after" : "board.frame_before");
  return t("board.step_of", { n: own.indexOf(step) + 1, total: own.length });
}

/**
 * The list of steps with the current one marked.
 * @param {BoardModel} model
 */
export function progress(model) {
  const steps = model.method.steps;
  const current = model.board.step;
  const fac = model.isFacilitator;
  return h("nav", { class: "progress", "aria-label": t("board.steps") },
    h("p", { class: "progress-count" }, stepPlace(model, current)),
    h("ol", { class: "steps" }, steps.map((step, index) => {
      const state = index < current ? "done" : index === current ? "current" : "todo";
      const own = steps.slice(0, index + 1).filter((s) => !s.frame).length;
      const label = h("span", { class: "step-label" }, step.frame ? null : h("span", { class: "step-num", "aria-hidden": "true" }, own), h("span", { class: "step-name" }, loc(step.title)));
      return h("li", { class: `step step-${state}${step.frame ? " step-frame" : ""}`, "data-key": `step-${index}`, "aria-current": index === current ? "step" : null, title: loc(step.title) },
        fac && index !== current
          ? h("button", { type: "button", class: "step-jump", "data-action": "step", "data-step": String(index), "aria-label": t("control.goto_step", { where: stepPlace(model, index), title: loc(step.title) }) }, label)
          : label);
    })));
}

/**
 * The current step: what to do, who the viewer is, the timer, ready and step controls.
 * @param {BoardModel} model
 */
export function stepHead(model) {
  const step = model.step;
  // named by place and title: a section of the step may carry the same title
  return h("section", { class: "step-head", "aria-labelledby": "step-place step-title" },
    h("div", { class: "step-text" },
      h("p", { class: "eyebrow", id: "step-place" }, stepPlace(model, model.board.step)),
      h("h2", { id: "step-title", tabindex: "-1" }, loc(step.title)),
      h("p", { class: "instruction" }, loc(step.instruction)),
      h("p", { class: "role-line" }, t("board.you_are", { role: t(`role.${model.role}`) }), myRights(model),
        writes(model) ? [" ", h("button", { type: "button", class: "btn-link", "data-action": "focus-field" }, t("board.to_field"))] : null),
      notesAside(model)),
    h("div", { class: "step-side" },
      timerBox(model),
      readyBox(model),
      model.isFacilitator ? stepControls(model) : null));
}

/**
 * The viewer's "I am done" toggle and how many are done.
 * @param {BoardModel} model
 */
function readyBox(model) {
  const ready = Boolean(model.board.you_ready);
  return h("div", { class: "ready" },
    model.role !== "observer" ? h("button", { type: "button", class: `btn ${ready ? "btn-done" : ""}`, "data-action": "ready", "aria-pressed": String(ready) },
      t(ready ? "ready.done" : "ready.button")) : null,
    h("span", { class: "ready-count" }, t("ready.count", { n: model.board.ready_count ?? 0, total: model.readyMembers })));
}

/**
 * The facilitator's previous and next step.
 * @param {BoardModel} model
 */
function stepControls(model) {
  const step = model.board.step;
  return h("div", { class: "step-controls" },
    h("button", { type: "button", class: "btn", "data-action": "step", "data-step": String(step - 1), disabled: step === 0 }, t("control.prev")),
    h("button", { type: "button", class: "btn btn-primary", "data-action": "step", "data-step": String(step + 1), disabled: step >= model.method.steps.length - 1 }, t("control.next")));
}

/**
 * Whether the viewer may write in a section of this step.
 * @param {BoardModel} model
 */
function writes(model) {
  return (model.step.sections ?? []).some((s) => model.may("add", s.section));
}

/**
 * What the viewer can do in this step, in words.
 * @param {BoardModel} model
 */
function myRights(model) {
  /** @type {Right[]} */
  const rights = ["add", "rate", "vote", "circle", "choose"];
  const sections = (model.step.sections ?? []).map((s) => s.section);
  const mine = rights.filter((right) => sections.some((section) => model.may(right, section)));
  if (!mine.length) return ` · ${t("rights.none")}`;
  return ` · ${t("rights.you_can", { rights: mine.map((r) => t(`rights.${r}`)).join(", ") })}`;
}

/**
 * The head of a closed board, with the exports.
 * @param {BoardModel} model
 */
export function closedIntro(model) {
  const group = new URLSearchParams(location.hash.slice(1)).get("g");  // a group meeting
  return h("section", { class: "step-head closed-head", "aria-labelledby": "closed-title" },
    h("div", { class: "step-text" },
      h("h2", { id: "closed-title" }, t("closed.title")),
      h("p", { class: "instruction" }, t("closed.body")),
      group ? h("p", {}, h("a", { class: "btn", href: `/g/${encodeURIComponent(group)}`, "data-group-link": "" }, t("closed.to_group"))) : null),
    exportPanel(model));
}

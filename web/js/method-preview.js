// The editor's preview: a step as one role sees it, drawn by the board's own section
// rendering from what the server computed (POST /api/methods/preview plays the step
// in a throw-away session with the core's rules). Inert: nothing in it can be used.

import { h } from "./dom.js";
import { loc, t } from "./i18n.js";
import { BoardModel } from "./model.js";
import { renderSection } from "./sections.js";

/** @typedef {import("./api.js").Preview} Preview */
/** @typedef {import("./model.js").Right} Right */

const RIGHTS = /** @type {const} */ (["add", "rate", "vote", "circle", "choose"]);

/**
 * @param {Preview} preview
 * @param {"facilitator" | "presenter" | "participant"} role
 * @param {number} number the step's number in the method being edited
 */
export function renderPreview(preview, role, number) {
  const view = preview.views[role];
  const model = new BoardModel({
    type: "welcome", protocol: 0, session_id: "preview", participant_id: view.participant_id, role,
    epoch: "", seq: 0, recovered: false, board: view.board, method: preview.method,
  });
  const step = model.step;
  const ctx = { model, items: model.view([]), editing: null, drag: null, readOnly: false };
  const shown = (step.sections ?? []).map((s) => s.section);
  /** @type {Right[]} */
  const mine = RIGHTS.filter((right) => shown.some((section) => model.may(right, section)));
  const defs = shown.map((id) => model.sectionDef(id)).filter((d) => d !== undefined);
  return h("div", { class: "preview-frame", inert: true, "data-preview-role": role, "data-key": "preview" },
    h("div", { class: "step-head preview-head" },
      h("div", { class: "step-text" },
        h("p", { class: "eyebrow" }, t("board.step_n", { n: number }), ` · ${t("editor.minutes_short", { n: step.minutes ?? 10 })}`),
        h("h3", {}, loc(step.title)),
        h("p", { class: "instruction" }, loc(step.instruction)),
        h("p", { class: "role-line" }, t("board.you_are", { role: t(`role.${role}`) }), " · ",
          mine.length ? t("rights.you_can", { rights: mine.map((r) => t(`rights.${r}`)).join(", ") }) : t("rights.none")))),
    h("div", { class: "sections preview-sections" }, defs.map((def) => renderSection(def, ctx))));
}

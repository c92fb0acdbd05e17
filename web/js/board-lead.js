// The facilitator's panel (invite link, anonymous writing, participant export, closing
// the session behind a confirmation) and, for the others, the note that writing is
// anonymous. Pure functions of (model, view state).

import { h } from "./dom.js";
import { exportToggle } from "./export-panel.js";
import { t } from "./i18n.js";
import { copyField } from "./shell.js";

/** @typedef {import("./model.js").BoardModel} BoardModel */
/** @typedef {import("./board-state.js").ViewState} ViewState */

/**
 * @param {BoardModel} model
 * @param {ViewState} view
 */
export function leadPanel(model, view) {
  if (!model.isFacilitator) return null;
  return h("section", { class: "panel", "aria-labelledby": "lead-title" },
    h("h2", { id: "lead-title" }, t("lead.title")),
    view.invite ? copyField("invite-link", t("start.invite_link"), view.invite) : null,
    h("button", { type: "button", class: "btn btn-block", "data-action": "anonymous", "aria-pressed": String(model.board.anonymous) },
      t(model.board.anonymous ? "lead.anonymous_on" : "lead.anonymous_off")),
    h("p", { class: "hint" }, t("lead.anonymous_hint")),
    ...exportToggle(model),
    view.confirm === "close"
      ? h("div", { class: "confirm", role: "group", "aria-label": t("lead.close_confirm") },
        h("p", {}, t("lead.close_confirm")),
        h("button", { type: "button", class: "btn btn-danger", "data-action": "close-confirm" }, t("lead.close_yes")),
        h("button", { type: "button", class: "btn btn-quiet", "data-action": "close-cancel" }, t("lead.close_no")))
      : h("button", { type: "button", class: "btn btn-block btn-danger-outline", "data-action": "close-ask" }, t("lead.close")));
}

/**
 * For everyone but the facilitator: writing is anonymous now.
 * @param {BoardModel} model
 */
export function anonymousNote(model) {
  return !model.isFacilitator && model.board.anonymous ? h("p", { class: "panel hint" }, t("lead.anonymous_on_info")) : null;
}

// The participants panel: who is in the session, their role and presence, and the
// facilitator's controls per person (presenter, observer, hand over, remove; the last
// two behind a confirmation). Pure functions of (model, view state).

import { h } from "./dom.js";
import { t } from "./i18n.js";

/** @typedef {import("./model.js").BoardModel} BoardModel */
/** @typedef {import("./model.js").Role} Role */
/** @typedef {import("./board-state.js").ViewState} ViewState */
/** @typedef {import("../types/protocol").Participant} Participant */

/**
 * @param {BoardModel} model
 * @param {ViewState} view
 */
export function peoplePanel(model, view) {
  const fac = model.isFacilitator;
  const people = [...model.participants.values()].filter((p) => !p.removed)
    .sort((a, b) => roleOrder(a.role) - roleOrder(b.role) || a.name.localeCompare(b.name));
  return h("section", { class: "panel", "aria-labelledby": "people-title" },
    h("h2", { id: "people-title" }, t("people.title"), " ", h("span", { class: "count" }, t("people.online", { n: model.online.size }))),
    h("ul", { class: "people" }, people.map((p) => {
      const online = model.online.has(p.id);
      const me = p.id === model.me;
      return h("li", { class: `person${online ? " is-online" : ""}`, "data-key": `p-${p.id}`, "data-person": p.id },
        h("span", { class: "dot", "aria-hidden": "true" }),
        h("span", { class: "person-name" }, p.name, me ? ` ${t("people.you")}` : ""),
        h("span", { class: `role-tag role-${p.role}` }, t(`role.${p.role}`)),
        online && model.board.spotlight && p.role !== "facilitator"
          ? h("span", { class: `follow-tag${model.follows(p.id) ? " is-following" : ""}` }, t(model.follows(p.id) ? "people.follows" : "people.looks_around"))
          : null,
        h("span", { class: "sr-only" }, t(online ? "people.is_online" : "people.is_offline")),
        fac && !me ? personControls(p, view.confirm) : null);
    })));
}

/**
 * The facilitator's controls for one person.
 * @param {Participant} p
 * @param {string | null} confirm the open confirmation
 */
function personControls(p, confirm) {
  const isPresenter = p.role === "presenter";
  if (confirm === `remove-${p.id}`) {
    return h("div", { class: "person-actions" },
      h("button", { type: "button", class: "btn btn-small btn-danger", "data-action": "remove", "data-pid": p.id }, t("people.remove_yes", { name: p.name })),
      h("button", { type: "button", class: "btn btn-small btn-quiet", "data-action": "confirm-cancel" }, t("lead.close_no")));
  }
  if (confirm === `handover-${p.id}`) {
    return h("div", { class: "person-actions" },
      h("button", { type: "button", class: "btn btn-small btn-danger", "data-action": "role", "data-pid": p.id, "data-role": "facilitator" }, t("people.handover_yes", { name: p.name })),
      h("button", { type: "button", class: "btn btn-small btn-quiet", "data-action": "confirm-cancel" }, t("lead.close_no")));
  }
  return h("div", { class: "person-actions" },
    h("button", { type: "button", class: "btn btn-small", "data-action": "role", "data-pid": p.id, "data-role": isPresenter ? "participant" : "presenter", "aria-label": t(isPresenter ? "people.unmake_presenter_named" : "people.make_presenter_named", { name: p.name }) },
      t(isPresenter ? "people.unmake_presenter" : "people.make_presenter")),
    h("details", { class: "more", "data-key": `more-${p.id}` },
      h("summary", { class: "btn btn-small btn-quiet", "aria-label": t("people.more_named", { name: p.name }) }, t("people.more")),
      h("div", { class: "more-menu" },
        p.role !== "observer"
          ? h("button", { type: "button", class: "btn btn-small btn-quiet", "data-action": "role", "data-pid": p.id, "data-role": "observer", "aria-label": t("people.make_observer_named", { name: p.name }) }, t("people.make_observer"))
          : h("button", { type: "button", class: "btn btn-small btn-quiet", "data-action": "role", "data-pid": p.id, "data-role": "participant", "aria-label": t("people.make_participant_named", { name: p.name }) }, t("people.make_participant")),
        h("button", { type: "button", class: "btn btn-small btn-quiet", "data-action": "ask", "data-confirm": `handover-${p.id}`, "aria-label": t("people.handover_named", { name: p.name }) }, t("people.handover")),
        h("button", { type: "button", class: "btn btn-small btn-quiet btn-danger-text", "data-action": "ask", "data-confirm": `remove-${p.id}`, "aria-label": t("people.remove_named", { name: p.name }) }, t("people.remove")))));
}

/** @param {Role} role */
function roleOrder(role) {
  return ["facilitator", "presenter", "participant", "observer"].indexOf(role);
}

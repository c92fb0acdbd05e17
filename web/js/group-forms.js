// Forms of the group page: joining, planning a series, the manager's settings and
// deleting the group. Pure renders; the page element handles their events.

import { h } from "./dom.js";
import { loc, t } from "./i18n.js";

/** @typedef {import("./group-api.js").GroupView} GroupView */

/**
 * Joining by the invite link: only a display name.
 * @param {boolean} busy
 * @param {string} error
 */
export function joinForm(busy, error) {
  return h("main", { id: "main", class: "page narrow" },
    h("div", { class: "card join-card" },
      h("h1", {}, t("group.join_title")),
      h("p", {}, t("group.join_lead")),
      h("form", { class: "stack", "data-form": "join" },
        h("label", { for: "member-name" }, t("join.name")),
        h("input", { id: "member-name", name: "name", required: true, maxlength: "60", autocomplete: "nickname" }),
        h("p", { class: "hint" }, t("group.join_hint")),
        h("button", { type: "submit", class: "btn btn-primary", disabled: busy }, t("group.join_submit")),
        h("div", { role: "alert", class: "form-error" }, error))));
}

/**
 * Plan a series of meetings from a first date and time.
 * @param {GroupView} data
 * @param {boolean} busy
 */
export function seriesForm(data, busy) {
  const count = data.plan.meetings.length;
  return h("details", { class: "series", "data-key": "series", open: count === 0 },
    h("summary", { class: "btn btn-small" }, t(count ? "group.series_more" : "group.series_title")),
    h("form", { class: "series-form", "data-form": "series" },
      h("div", { class: "form-row" },
        h("label", { for: "series-date" }, t("group.series_date")),
        h("input", { id: "series-date", name: "date", type: "date", required: true })),
      h("div", { class: "form-row" },
        h("label", { for: "series-time" }, t("group.series_time")),
        h("input", { id: "series-time", name: "time", type: "time", required: true, value: "19:30" })),
      h("div", { class: "form-row" },
        h("label", { for: "series-count" }, t("group.series_count")),
        h("input", { id: "series-count", name: "count", type: "number", min: "1", max: "40", value: "8", required: true })),
      h("div", { class: "form-row" },
        h("label", { for: "series-weeks" }, t("group.series_weeks")),
        h("input", { id: "series-weeks", name: "weeks", type: "number", min: "1", max: "26", value: String(data.group.cadence_weeks), required: true })),
      h("button", { type: "submit", class: "btn btn-primary", disabled: busy }, t("group.series_submit"))));
}

/**
 * The manager's card: the group's settings and deleting the group.
 * @param {GroupView} data
 * @param {import("./api.js").MethodSummary[]} methods
 * @param {string | null} confirm
 */
export function manageCard(data, methods, confirm) {
  return h("section", { class: "card card-quiet", "aria-labelledby": "manage-title", "data-key": "danger" },
    h("h2", { id: "manage-title" }, t("group.manage")),
    methods.length ? settingsForm(data, methods) : null,
    h("h3", { id: "danger-title" }, t("group.delete_title")),
    h("p", { class: "hint" }, t("group.delete_hint")),
    confirm === "delete-group"
      ? h("div", { class: "confirm" },
        h("p", {}, t("group.delete_confirm")),
        h("button", { type: "button", class: "btn btn-danger", "data-action": "delete-group" }, t("group.delete_yes")),
        h("button", { type: "button", class: "btn btn-quiet", "data-action": "cancel" }, t("group.cancel")))
      : h("button", { type: "button", class: "btn btn-danger-outline", "data-action": "ask", "data-confirm": "delete-group" }, t("group.delete")));
}

/**
 * The group's settings, for its manager.
 * @param {GroupView} data
 * @param {import("./api.js").MethodSummary[]} methods
 */
export function settingsForm(data, methods) {
  const g = data.group;
  return h("details", { class: "settings", "data-key": "settings" },
    h("summary", { class: "btn btn-small" }, t("group.settings")),
    h("form", { class: "group-new-form", "data-form": "settings", "data-keep": "", "data-version": String(g.version) },
      h("div", { class: "form-row" },
        h("label", { for: "settings-name" }, t("group.name")),
        h("input", { id: "settings-name", name: "name", required: true, maxlength: "120", value: g.name })),
      h("div", { class: "form-row" },
        h("label", { for: "settings-method" }, t("group.default_method")),
        h("select", { id: "settings-method", name: "default_method" },
          methods.map((m) => h("option", { value: m.id, selected: m.id === g.method }, loc(m.name))))),
      h("div", { class: "form-row" },
        h("label", { for: "settings-language" }, t("group.language")),
        h("select", { id: "settings-language", name: "language" },
          h("option", { value: "nl", selected: g.language === "nl" }, "Nederlands"),
          h("option", { value: "en", selected: g.language === "en" }, "English"))),
      h("div", { class: "form-row" },
        h("label", { for: "settings-weeks" }, t("group.cadence")),
        h("input", { id: "settings-weeks", name: "cadence_weeks", type: "number", min: "1", max: "26", value: String(g.cadence_weeks), required: true })),
      h("div", { class: "form-row" },
        h("label", { for: "settings-minutes" }, t("group.minutes")),
        h("input", { id: "settings-minutes", name: "minutes", type: "number", min: "15", max: "480", step: "5", value: String(g.minutes), required: true })),
      h("button", { type: "submit", class: "btn btn-primary" }, t("group.save"))));
}

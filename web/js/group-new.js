// <iv-group-new>: the start page's form for a new intervision group. The creator
// becomes its first member with the management right; the page then opens the group.

import { HttpError, listMethods } from "./api.js";
import { h, morphChildren } from "./dom.js";
import { createGroup, remember } from "./group-api.js";
import { explain, lang, loc, t } from "./i18n.js";

export class GroupNewElement extends HTMLElement {
  constructor() {
    super();
    /** @type {import("./api.js").MethodSummary[]} */
    this.methods = [];
    /** @type {string | null} */
    this.error = null;
    this.busy = false;
  }

  async connectedCallback() {
    this.addEventListener("submit", (e) => this.onSubmit(e));
    window.addEventListener("iv-langchange", () => this.render());
    this.render();
    try {
      this.methods = await listMethods();
    } catch (error) {
      this.error = explain(error instanceof HttpError ? error.code : "network");
    }
    this.render();
  }

  render() {
    morphChildren(this, h("div", {}, this.view()));
  }

  view() {
    return h("section", { class: "card group-new", "aria-labelledby": "group-new-title" },
      h("h2", { id: "group-new-title" }, t("group.new_title")),
      h("p", { class: "hint" }, t("group.new_lead")),
      h("form", { class: "group-new-form", "data-form": "group-new" },
        h("div", { class: "form-row" },
          h("label", { for: "group-name" }, t("group.name")),
          h("input", { id: "group-name", name: "name", required: true, maxlength: "120", placeholder: t("group.name_placeholder") })),
        h("div", { class: "form-row" },
          h("label", { for: "group-your-name" }, t("join.name")),
          h("input", { id: "group-your-name", name: "your_name", required: true, maxlength: "60", autocomplete: "nickname" })),
        h("div", { class: "form-row" },
          h("label", { for: "group-method" }, t("group.default_method")),
          h("select", { id: "group-method", name: "default_method" },
            this.methods.map((m) => h("option", { value: m.id, selected: m.id === "tienstappen" }, loc(m.name))))),
        h("div", { class: "form-row" },
          h("label", { for: "group-language" }, t("group.language")),
          h("select", { id: "group-language", name: "language" },
            h("option", { value: "nl", selected: lang() === "nl" }, "Nederlands"),
            h("option", { value: "en", selected: lang() === "en" }, "English"))),
        h("div", { class: "form-row" },
          h("label", { for: "group-weeks" }, t("group.cadence")),
          h("input", { id: "group-weeks", name: "cadence_weeks", type: "number", min: "1", max: "26", value: "6", required: true })),
        h("div", { class: "form-row" },
          h("label", { for: "group-minutes" }, t("group.minutes")),
          h("input", { id: "group-minutes", name: "minutes", type: "number", min: "15", max: "480", step: "5", value: "120", required: true })),
        h("button", { type: "submit", class: "btn btn-primary", disabled: this.busy || !this.methods.length }, t("group.create")),
        h("div", { role: "alert", class: "form-error" }, this.error ?? "")));
  }

  /** @param {SubmitEvent} event */
  async onSubmit(event) {
    event.preventDefault();
    event.stopPropagation();
    const form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    const data = new FormData(form);
    const text = (/** @type {string} */ name) => String(data.get(name) ?? "").trim();
    this.busy = true;
    this.error = null;
    this.render();
    try {
      const created = await createGroup({
        name: text("name"), your_name: text("your_name"), language: text("language") || "nl",
        method: text("default_method") || "tienstappen", cadence_weeks: Number(text("cadence_weeks")), minutes: Number(text("minutes")),
      });
      remember(created.group_id, { member_id: created.member_id, name: text("your_name"), key: created.member_key });
      localStorage.setItem(`iv.group.${created.group_id}.invite`, created.invite_link);
      location.assign(`/g/${created.group_id}`);
    } catch (error) {
      this.busy = false;
      this.error = explain(error instanceof HttpError ? error.code : "network");
      this.render();
    }
  }
}

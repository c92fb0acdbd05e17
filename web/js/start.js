// <iv-start>: the start page. Create a session (title, method, language) and hand out
// the facilitator link and the invite link.

import { createSession, HttpError, listMethods, listSaved } from "./api.js";
import { h, morphChildren } from "./dom.js";
import { explain, lang, loc, t } from "./i18n.js";
import { brandHeader, copyField, copyText } from "./shell.js";

/** @typedef {import("./api.js").MethodSummary} MethodSummary */
/** @typedef {import("./api.js").SessionCreated} SessionCreated */
/** @typedef {import("./api.js").SavedSummary} SavedSummary */

const SAVED = "saved:";

export class StartElement extends HTMLElement {
  constructor() {
    super();
    /** @type {MethodSummary[]} */
    this.methods = [];
    /** @type {SavedSummary[]} this browser's methods, then those published for everyone */
    this.savedMethods = [];
    this.method = "tienstappen";
    /** @type {SessionCreated | null} */
    this.created = null;
    /** @type {string | null} */
    this.error = null;
    this.busy = false;
    /** @type {string | null} */
    this.info = null;
    this.agreementOn = true;
    /** @type {string} the agreement at the door, the default text in the session's language until edited */
    this.agreementText = "";
    this.agreementEdited = false;
    /** @type {string | null} the session language picked here; null: the page's language */
    this.language = null;
  }

  /** The session's language: the one picked, else the page's. */
  sessionLanguage() {
    return this.language ?? lang();
  }

  async connectedCallback() {
    this.addEventListener("submit", (e) => this.onSubmit(e));
    this.addEventListener("change", (e) => this.onChange(e));
    this.addEventListener("click", (e) => this.onClick(e));
    this.addEventListener("input", (e) => {
      if (e.target instanceof HTMLTextAreaElement && e.target.name === "agreement") {
        this.agreementText = e.target.value;
        this.agreementEdited = true;
      }
    });
    window.addEventListener("iv-langchange", () => {
      if (this.language === null && !this.agreementEdited) this.loadAgreement(lang());
      this.render();
    });
    this.render();
    this.loadAgreement(this.sessionLanguage());
    try {
      this.methods = await listMethods();
      if (!this.methods.some((m) => m.id === this.method) && this.methods.length) this.method = this.methods[0].id;
      const saved = await listSaved();
      this.savedMethods = [...saved.mine, ...saved.published];
      const wanted = new URLSearchParams(location.search).get("saved");
      if (wanted && this.savedMethods.some((m) => m.saved_id === wanted)) this.method = SAVED + wanted;
    } catch (error) {
      this.error = explain(error instanceof HttpError ? error.code : "network");
    }
    this.render();
  }

  render() {
    document.title = t("app.name");
    morphChildren(this, h("div", {}, brandHeader(), this.view()));
  }

  view() {
    const chosen = this.methods.find((m) => m.id === this.method)
      ?? this.savedMethods.find((m) => SAVED + m.saved_id === this.method);
    const mine = this.savedMethods.filter((m) => m.mine);
    const shared = this.savedMethods.filter((m) => !m.mine);
    return h("main", { id: "main", class: "page" },
      h("div", { class: "hero" },
        h("h1", {}, t("start.title")),
        h("p", { class: "lead" }, t("start.lead"))),
      h("div", { class: "start-grid" },
        h("section", { class: "card", "aria-labelledby": "new-title" },
          h("h2", { id: "new-title" }, t("start.new")),
          h("form", { class: "stack", "data-key": "create" },
            h("label", { for: "title" }, t("start.session_title")),
            h("input", { id: "title", name: "title", required: true, maxlength: "120", placeholder: t("start.session_title_placeholder") }),
            h("label", { for: "method" }, t("start.method")),
            h("select", { id: "method", name: "method", "aria-describedby": "method-summary" },
              mine.length || shared.length
                ? h("optgroup", { label: t("start.methods_installed") }, this.methods.map((m) => h("option", { value: m.id, selected: m.id === this.method }, loc(m.name))))
                : this.methods.map((m) => h("option", { value: m.id, selected: m.id === this.method }, loc(m.name))),
              mine.length ? h("optgroup", { label: t("start.methods_mine") }, mine.map((m) => h("option", { value: SAVED + m.saved_id, selected: SAVED + m.saved_id === this.method }, loc(m.name)))) : null,
              shared.length ? h("optgroup", { label: t("start.methods_shared") }, shared.map((m) => h("option", { value: SAVED + m.saved_id, selected: SAVED + m.saved_id === this.method }, loc(m.name)))) : null),
            h("p", { class: "method-summary", id: "method-summary" },
              chosen ? [loc(chosen.summary), " ", h("span", { class: "muted" }, t("start.method_size", { steps: chosen.steps, minutes: chosen.minutes }))] : ""),
            h("p", { class: "hint" }, h("a", { href: "/methods/edit", "data-editor-link": "" }, t("start.make_method"))),
            h("label", { for: "language" }, t("start.language")),
            h("select", { id: "language", name: "language" },
              h("option", { value: "nl", selected: this.sessionLanguage() === "nl" }, "Nederlands"),
              h("option", { value: "en", selected: this.sessionLanguage() === "en" }, "English")),
            h("p", { class: "hint" }, t("start.language_hint")),
            h("label", { class: "check" },
              h("input", { type: "checkbox", id: "agreement-on", name: "agreement_on", checked: this.agreementOn }),
              " ", t("start.agreement_on")),
            this.agreementOn ? [
              h("label", { for: "agreement" }, t("start.agreement")),
              h("textarea", { id: "agreement", name: "agreement", rows: "4", maxlength: "2000", "data-key": "agreement", "aria-describedby": "agreement-hint" }, this.agreementText),
              h("p", { class: "hint", id: "agreement-hint" }, t("start.agreement_hint")),
            ] : null,
            h("button", { type: "submit", class: "btn btn-primary", disabled: this.busy || !this.methods.length }, t("start.create")),
            h("div", { role: "alert", class: "form-error" }, this.error ?? ""))),
        this.created ? this.links(this.created) : this.explainer()),
      h("iv-group-new", { "data-key": "group-new", "data-keep": "" }));
  }

  explainer() {
    return h("section", { class: "card card-quiet", "aria-labelledby": "how-title" },
      h("h2", { id: "how-title" }, t("start.how_title")),
      h("ol", { class: "how" },
        h("li", {}, t("start.how_1")),
        h("li", {}, t("start.how_2")),
        h("li", {}, t("start.how_3"))),
      h("p", { class: "hint" }, t("start.privacy")));
  }

  /** @param {SessionCreated} created */
  links(created) {
    return h("section", { class: "card card-success", "aria-labelledby": "links-title", "data-created": created.session_id },
      h("h2", { id: "links-title", tabindex: "-1" }, t("start.created")),
      copyField("facilitator-link", t("start.facilitator_link"), created.facilitator_link),
      h("p", { class: "hint" }, t("start.facilitator_hint")),
      copyField("invite-link", t("start.invite_link"), created.invite_link),
      h("p", { class: "hint" }, t("start.invite_hint")),
      h("a", { class: "btn btn-primary", href: created.facilitator_link, "data-open-board": "" }, t("start.open_board")),
      h("p", { class: "info", role: "status" }, this.info ?? ""));
  }

  /** @param {Event} event */
  onChange(event) {
    const target = event.target;
    if (target instanceof HTMLSelectElement && target.name === "method") {
      this.method = target.value;
      this.render();
    }
    if (target instanceof HTMLSelectElement && target.name === "language") {
      this.language = target.value;
      if (!this.agreementEdited) this.loadAgreement(target.value);
    }
    if (target instanceof HTMLInputElement && target.name === "agreement_on") {
      this.agreementOn = target.checked;
      this.render();
    }
  }

  /**
   * The default agreement text in the session's language.
   * @param {string} language
   */
  async loadAgreement(language) {
    try {
      const response = await fetch(`/api/agreement/${language === "en" ? "en" : "nl"}`);
      // a slower answer for a language no longer chosen does not overwrite the text
      if (response.ok && !this.agreementEdited && language === this.sessionLanguage()) {
        this.agreementText = (await response.json()).text;
      }
    } catch {
      // the server's default applies when the text stays empty
    }
    this.render();
  }

  /** @param {MouseEvent} event */
  onClick(event) {
    const button = event.target instanceof Element ? event.target.closest("button[data-action=copy]") : null;
    if (!(button instanceof HTMLElement)) return;
    copyText(button.dataset.copy ?? "").then((ok) => {
      this.info = t(ok ? "notice.copied" : "notice.copy_failed");
      this.render();
    });
  }

  /** @param {SubmitEvent} event */
  async onSubmit(event) {
    event.preventDefault();
    const form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    const data = new FormData(form);
    this.busy = true;
    this.error = null;
    this.render();
    try {
      const method = String(data.get("method") ?? this.method);
      const title = String(data.get("title") ?? "").trim();
      const language = String(data.get("language") ?? "nl");
      const agreement = this.agreementOn ? (this.agreementText.trim() || true) : false;
      this.created = await createSession(method.startsWith(SAVED)
        ? { title, saved_method: method.slice(SAVED.length), language, agreement }
        : { title, method, language, agreement });
      localStorage.setItem(`iv.invite.${this.created.session_id}`, this.created.invite_link);
    } catch (error) {
      this.error = explain(error instanceof HttpError ? error.code : "network");
    }
    this.busy = false;
    this.render();
    const heading = this.querySelector("#links-title");
    if (heading instanceof HTMLElement) heading.focus();
  }
}

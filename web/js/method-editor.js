// <iv-method-editor>: make a method in the browser. Start from an empty method or a
// copy of any method; edit steps, sections, rights per role, hidden and sealed
// sections, carry-forward filters; reorder steps by keyboard or pointer; see a step as
// each role would. Every check is the server's loader (POST /api/methods/check): its
// problems are shown next to the field their path names, and a save it refuses stores
// nothing. No rule is repeated here.

import {
  checkMethod, deleteSaved, exportInstalled, exportMethod, getSaved, HttpError, listMethods, listSaved,
  MethodInvalid, previewMethod, publishMethod, saveMethod,
} from "./api.js";
import { h, morphChildren } from "./dom.js";
import { explain, lang, loc, t } from "./i18n.js";
import {
  ancestors, copyOf, emptyLane, emptyMethod, emptySection, emptyStep, emptyStepSection, FILTERS, getAt, KINDS,
  move, RIGHTS, ROLES, setAt,
} from "./method-draft.js";
import { renderPreview } from "./method-preview.js";
import { brandHeader } from "./shell.js";

/** @typedef {import("./method-draft.js").Draft} Draft */
/** @typedef {import("./api.js").Problem} Problem */
/** @typedef {import("./api.js").MethodSummary} MethodSummary */
/** @typedef {import("./api.js").SavedList} SavedList */
/** @typedef {import("./api.js").Preview} Preview */
/** @typedef {"facilitator" | "presenter" | "participant"} PreviewRole */

const CHECK_DELAY_MS = 250;

/**
 * An element id for the control of a field path.
 * @param {string} path
 */
function fieldId(path) {
  return `ed${path.replace(/[^A-Za-z0-9]+/g, "-")}`;
}

export class MethodEditorElement extends HTMLElement {
  constructor() {
    super();
    /** @type {Draft | null} null: choosing what to start from */
    this.draft = null;
    /** @type {string | null} */
    this.savedId = null;
    this.version = 0;
    this.published = false;
    /** @type {Problem[]} */
    this.problems = [];
    /** Whether the loader accepted the draft as it is now. */
    this.valid = false;
    this.dirty = false;
    this.status = "";
    /** @type {string | null} */
    this.error = null;
    /** @type {MethodSummary[]} */
    this.installed = [];
    /** @type {SavedList} */
    this.saved = { may_publish: false, mine: [], published: [] };
    this.previewStep = 0;
    /** @type {PreviewRole} */
    this.previewRole = "participant";
    /** @type {Preview | null} */
    this.preview = null;
    this.previewStale = false;
    this.importOpen = false;
    this.importText = "";
    /** @type {WeakMap<object, string>} stable keys of steps, sections and lanes */
    this.uids = new WeakMap();
    this.nextUid = 1;
    /** @type {Set<string>} uids of the steps and sections shown unfolded */
    this.open = new Set();
    this.checkTimer = 0;
    this.checkSeq = 0;
    /** @type {number | null} the step being dragged by its handle */
    this.dragFrom = null;
    /** @type {number | null} where it would land */
    this.dropAt = null;
    this.rendering = false;
    this.renderAgain = false;
    /** @type {{uid: string, action: string} | null} where the focus goes after a render */
    this.refocus = null;
  }

  async connectedCallback() {
    this.addEventListener("input", (e) => this.onInput(e, false));
    this.addEventListener("change", (e) => this.onInput(e, true));
    this.addEventListener("click", (e) => this.onClick(e));
    this.addEventListener("submit", (e) => e.preventDefault());
    this.addEventListener("keydown", (e) => this.onKeydown(e));
    this.addEventListener("pointerdown", (e) => this.onPointerDown(e));
    this.addEventListener("pointermove", (e) => this.onPointerMove(e));
    this.addEventListener("pointerup", (e) => this.onPointerUp(e));
    this.addEventListener("pointercancel", () => { this.dragFrom = null; this.dropAt = null; this.render(); });
    window.addEventListener("iv-langchange", () => { this.render(); if (this.draft) this.scheduleCheck(0); });
    this.render();
    try {
      [this.installed, this.saved] = await Promise.all([listMethods(), listSaved()]);
      await this.openFromUrl();
    } catch (error) {
      this.error = this.explainError(error);
    }
    this.render();
  }

  /** @param {unknown} error */
  explainError(error) {
    return explain(error instanceof HttpError ? error.code : "network");
  }

  /** ?new, ?from=<installed id>, ?saved=<saved id>, ?copy=<saved id> */
  async openFromUrl() {
    const params = new URLSearchParams(location.search);
    const from = params.get("from");
    const saved = params.get("saved");
    const copy = params.get("copy");
    if (params.has("new")) {
      this.start(emptyMethod());
    } else if (from) {
      this.start(copyOf(await checkMethod({ toml: await exportInstalled(from), language: lang() })));
    } else if (saved || copy) {
      const found = await getSaved(/** @type {string} */ (saved ?? copy));
      if (saved && found.mine) {
        this.start(found.method);
        this.savedId = found.saved_id;
        this.version = found.version;
        this.published = found.published;
      } else {
        this.start(copyOf(found.method));
      }
    }
  }

  /** @param {Draft} draft */
  start(draft) {
    this.draft = draft;
    this.dirty = false;
    this.scheduleCheck(0);
  }

  /** @param {object} part */
  uid(part) {
    let key = this.uids.get(part);
    if (!key) {
      key = `u${this.nextUid++}`;
      this.uids.set(part, key);
    }
    return key;
  }

  // -- checking and preview ---------------------------------------------------------

  /** @param {number} delay */
  scheduleCheck(delay = CHECK_DELAY_MS) {
    clearTimeout(this.checkTimer);
    this.checkTimer = window.setTimeout(() => this.check(), delay);
  }

  async check() {
    if (!this.draft) return;
    const seq = ++this.checkSeq;
    const draft = structuredClone(this.draft);
    try {
      await checkMethod({ method: draft, language: lang() });
      if (seq !== this.checkSeq) return;
      this.problems = [];
      this.valid = true;
      const steps = draft.steps.length;
      this.previewStep = Math.min(this.previewStep, Math.max(0, steps - 1));
      this.preview = await previewMethod(draft, this.previewStep, lang());
      this.previewStale = false;
    } catch (error) {
      if (seq !== this.checkSeq) return;
      if (error instanceof MethodInvalid) {
        this.problems = error.problems;
        this.valid = false;
        this.previewStale = true;
      } else {
        this.error = this.explainError(error);
      }
    }
    if (seq === this.checkSeq) {
      this.openProblems();
      this.render();
    }
  }

  /** Unfold the steps and sections a problem names, so its message is in sight. */
  openProblems() {
    const draft = this.draft;
    if (!draft) return;
    for (const problem of this.problems) {
      const match = /^\$\.(steps|sections)\[(\d+)\]/.exec(problem.path);
      const part = match ? draft[match[1]]?.[Number(match[2])] : undefined;
      if (part && typeof part === "object") this.open.add(this.uid(part));
    }
  }

  // -- rendering --------------------------------------------------------------------

  /** Morph the page to the state; a render asked for during one (a change event
   * fired by the blur of a field the morph removes) runs right after it. */
  render() {
    if (this.rendering) {
      this.renderAgain = true;
      return;
    }
    this.rendering = true;
    try {
      document.title = `${t("editor.title")} · ${t("app.name")}`;
      const tree = h("div", {}, brandHeader(), this.draft ? this.editorView(this.draft) : this.chooserView());
      if (this.draft) this.placeProblems(tree);
      morphChildren(this, tree);
      this.restoreFocus();
    } finally {
      this.rendering = false;
    }
    if (this.renderAgain) {
      this.renderAgain = false;
      queueMicrotask(() => this.render());
    }
  }

  chooserView() {
    const mine = this.saved.mine;
    return h("main", { id: "main", class: "page" },
      h("div", { class: "hero" },
        h("h1", {}, t("editor.title")),
        h("p", { class: "lead" }, t("editor.lead"))),
      this.error ? h("p", { class: "notice notice-error", role: "alert" }, this.error) : null,
      h("div", { class: "start-grid" },
        h("section", { class: "card", "aria-labelledby": "ed-start-title" },
          h("h2", { id: "ed-start-title" }, t("editor.start_from")),
          h("p", {}, h("a", { class: "btn btn-primary", href: "/methods/edit?new" }, t("editor.new_empty"))),
          h("h3", {}, t("editor.copy_of")),
          h("ul", { class: "method-choices" }, this.installed.map((m) => h("li", {},
            h("span", {}, loc(m.name)),
            h("a", { class: "btn btn-small", href: `/methods/edit?from=${encodeURIComponent(m.id)}`, "aria-label": t("editor.copy_named", { name: loc(m.name) }) }, t("editor.copy")))))),
        h("section", { class: "card", "aria-labelledby": "ed-mine-title" },
          h("h2", { id: "ed-mine-title" }, t("editor.mine")),
          mine.length
            ? h("ul", { class: "method-choices" }, mine.map((m) => h("li", {},
              h("span", {}, loc(m.name), m.published ? h("span", { class: "badge" }, t("editor.published")) : null),
              h("span", { class: "form-row" },
                h("a", { class: "btn btn-small", href: `/methods/edit?saved=${m.saved_id}`, "aria-label": t("editor.edit_named", { name: loc(m.name) }) }, t("editor.edit")),
                h("a", { class: "btn btn-small btn-quiet", href: `/?saved=${m.saved_id}`, "aria-label": t("editor.use_named", { name: loc(m.name) }) }, t("editor.use")),
                h("button", { type: "button", class: "btn btn-small btn-danger-outline", "data-action": "delete-saved", "data-id": m.saved_id, "aria-label": t("editor.delete_named", { name: loc(m.name) }) }, t("editor.delete"))))))
            : h("p", { class: "hint" }, t("editor.mine_none")),
          this.saved.published.length ? [
            h("h3", {}, t("editor.shared")),
            h("ul", { class: "method-choices" }, this.saved.published.map((m) => h("li", {},
              h("span", {}, loc(m.name)),
              h("a", { class: "btn btn-small", href: `/methods/edit?copy=${m.saved_id}`, "aria-label": t("editor.copy_named", { name: loc(m.name) }) }, t("editor.copy"))))),
          ] : null,
          h("p", { class: "hint" }, t("editor.key_hint")))),
      h("p", { class: "info", role: "status" }, this.status));
  }

  /** @param {Draft} draft */
  editorView(draft) {
    return h("main", { id: "main", class: "page page-wide editor" },
      h("div", { class: "editor-head" },
        h("h1", {}, t("editor.title"), ": ", loc(draft.name) || draft.id || "…"),
        h("p", { class: "hint" }, h("a", { href: "/methods/edit" }, t("editor.back")))),
      this.toolbar(),
      this.error ? h("p", { class: "notice notice-error", role: "alert" }, this.error) : null,
      this.problemSummary(),
      h("div", { class: "editor-layout" },
        h("form", { class: "editor-form", "aria-label": t("editor.form_label"), novalidate: true },
          this.methodFields(),
          this.sectionsFields(draft),
          this.stepsFields(draft)),
        this.previewPanel(draft)));
  }

  toolbar() {
    const saved = this.savedId !== null;
    return h("div", { class: "editor-toolbar", role: "group", "aria-label": t("editor.actions") },
      h("button", { type: "button", class: "btn btn-primary", "data-action": "save" }, t("editor.save")),
      h("button", { type: "button", class: "btn", "data-action": "export" }, t("editor.export")),
      h("button", { type: "button", class: "btn", "data-action": "import-toggle", "aria-expanded": String(this.importOpen), "aria-controls": "ed-import" }, t("editor.import")),
      saved && this.saved.may_publish
        ? h("button", { type: "button", class: "btn", "data-action": "publish", "aria-pressed": String(this.published) }, t(this.published ? "editor.unpublish" : "editor.publish"))
        : null,
      saved ? h("a", { class: "btn", href: `/?saved=${this.savedId}`, "data-use": "" }, t("editor.use")) : null,
      h("p", { class: "editor-status", role: "status", "aria-live": "polite" },
        this.status || (this.dirty ? t("editor.unsaved") : ""),
        " ",
        this.valid ? h("span", { class: "ok" }, t("editor.valid")) : this.problems.length ? h("span", { class: "form-error" }, t("editor.problems", { n: this.problems.length })) : null),
      this.importOpen ? h("div", { class: "import-panel stack", id: "ed-import", "data-key": "import" },
        h("label", { for: "ed-import-text" }, t("editor.import_label")),
        h("textarea", { id: "ed-import-text", rows: "8", "data-import": "", spellcheck: "false", "data-anchor": "$" }, this.importText),
        h("label", { for: "ed-import-file" }, t("editor.import_file")),
        h("input", { id: "ed-import-file", type: "file", accept: ".toml,text/plain,application/toml", "data-import-file": "" }),
        h("div", { class: "form-row" },
          h("button", { type: "button", class: "btn", "data-action": "import-apply" }, t("editor.import_apply")))) : null);
  }

  problemSummary() {
    if (!this.problems.length) return null;
    return h("section", { class: "notice notice-error problem-summary", "aria-labelledby": "ed-problems-title", "data-key": "problems" },
      h("div", {},
        h("h2", { id: "ed-problems-title", tabindex: "-1" }, t("editor.problems_title", { n: this.problems.length })),
        h("ul", {}, this.problems.map((p) => h("li", {},
          h("a", { href: `#${fieldId(this.anchorPath(p.path))}`, "data-focus-path": this.anchorPath(p.path) }, this.describePath(p.path)),
          ": ", p.message)))));
  }

  /**
   * The most specific path of `path` that has a field in the form.
   * @param {string} path
   */
  anchorPath(path) {
    return ancestors(path).find((p) => this.querySelector(`[data-anchor="${CSS.escape(p)}"]`)) ?? path;
  }

  /**
   * A path in words: "Stap 3 · Titel (nl)".
   * @param {string} path
   */
  describePath(path) {
    const draft = /** @type {Draft} */ (this.draft ?? {});
    const parts = [];
    const step = /\$\.steps\[(\d+)\]/.exec(path);
    const section = /\$\.sections\[(\d+)\]/.exec(path);
    if (step) parts.push(t("editor.step_n", { n: Number(step[1]) + 1 }));
    if (section) parts.push(t("editor.section_named", { id: String(draft.sections?.[Number(section[1])]?.id ?? "") }));
    const tail = /\.([a-z_]+)(?:\[\d+\])?$/.exec(path.replace(/\.(nl|en)$/, ""));
    if (tail) parts.push(t(`editor.field.${tail[1]}`));
    const language = /\.(nl|en)$/.exec(path);
    if (language) parts.push(language[1]);
    return parts.join(" · ") || t("editor.field.method");
  }

  /**
   * Put each problem's message next to the field its path names (the most specific
   * field the form has), and mark that field invalid.
   * @param {HTMLElement} tree
   */
  placeProblems(tree) {
    this.problems.forEach((problem, index) => {
      const anchor = ancestors(problem.path)
        .map((p) => tree.querySelector(`[data-anchor="${CSS.escape(p)}"]`))
        .find((el) => el !== null);
      if (!(anchor instanceof HTMLElement)) return;
      const id = `ed-problem-${index}`;
      const message = h("p", { class: "field-error", id, "data-problem-path": problem.path }, problem.message);
      const control = anchor.matches("input, select, textarea") ? anchor : anchor.querySelector("input, select, textarea");
      if (anchor.matches("input, select, textarea")) {
        anchor.insertAdjacentElement("afterend", message);
      } else {
        anchor.append(message);
      }
      // the field's control, or the group itself when it has none (no lanes yet)
      const target = control instanceof HTMLElement ? control : anchor;
      if (control instanceof HTMLElement) control.setAttribute("aria-invalid", "true");
      const described = target.getAttribute("aria-describedby");
      target.setAttribute("aria-describedby", described ? `${described} ${id}` : id);
    });
  }

  restoreFocus() {
    const target = this.refocus;
    if (!target) return;
    this.refocus = null;
    const card = this.querySelector(`[data-key="${target.uid}"]`);
    if (!card) return;
    const wanted = card.querySelector(`[data-action="${target.action}"]:not([disabled])`)
      ?? card.querySelector("[data-action=step-up]:not([disabled]), [data-action=step-down]:not([disabled])");
    if (wanted instanceof HTMLElement) wanted.focus();
  }

  // -- fields -----------------------------------------------------------------------

  /**
   * A labelled text, number or long-text field bound to `path`.
   * @param {string} path
   * @param {string} label
   * @param {{type?: "text" | "int", long?: boolean, hint?: string, width?: string}} [opts]
   */
  field(path, label, opts = {}) {
    const id = fieldId(path);
    const value = getAt(/** @type {Draft} */ (this.draft), path);
    const shown = value === undefined || value === null ? "" : String(value);
    const attrs = {
      id, "data-path": path, "data-type": opts.type ?? "text", "data-anchor": path,
      "aria-describedby": opts.hint ? `${id}-hint` : null,
    };
    const control = opts.long
      ? h("textarea", { ...attrs, rows: "3" }, shown)
      : h("input", { ...attrs, type: opts.type === "int" ? "number" : "text", inputmode: opts.type === "int" ? "numeric" : null, value: shown, class: opts.width ?? null });
    if (opts.long) /** @type {HTMLTextAreaElement} */ (control).value = shown;
    return h("div", { class: "field" },
      h("label", { for: id }, label),
      control,
      opts.hint ? h("p", { class: "hint", id: `${id}-hint` }, opts.hint) : null);
  }

  /**
   * Dutch and English side by side.
   * @param {string} path
   * @param {string} label
   * @param {boolean} [long]
   */
  localized(path, label, long = false) {
    return h("div", { class: "field-pair", "data-anchor": path },
      this.field(`${path}.nl`, `${label} (${t("editor.lang_nl")})`, { long }),
      this.field(`${path}.en`, `${label} (${t("editor.lang_en")})`, { long }));
  }

  /**
   * A checkbox bound to a boolean at `path`.
   * @param {string} path
   * @param {string} label
   * @param {string} [hint]
   */
  checkbox(path, label, hint) {
    const id = fieldId(path);
    return h("div", { class: "field field-check", "data-anchor": path },
      h("input", { type: "checkbox", id, "data-path": path, "data-type": "bool", checked: Boolean(getAt(/** @type {Draft} */ (this.draft), path)), "aria-describedby": hint ? `${id}-hint` : null }),
      h("label", { for: id }, label),
      hint ? h("p", { class: "hint", id: `${id}-hint` }, hint) : null);
  }

  /**
   * Checkboxes for a list of values at `path`; values the list holds that are not
   * among `choices` (an unknown role from an import) are shown too, so the loader's
   * message has a place.
   * @param {string} path
   * @param {string} legend
   * @param {readonly string[]} choices
   * @param {(value: string) => string} label
   */
  checklist(path, legend, choices, label) {
    const current = getAt(/** @type {Draft} */ (this.draft), path);
    const list = Array.isArray(current) ? current.map(String) : [];
    const extra = list.map((value, index) => ({ value, index })).filter(({ value }) => !choices.includes(value));
    const base = fieldId(path);
    return h("fieldset", { class: "field checklist", "data-anchor": path },
      h("legend", {}, legend),
      h("div", { class: "checks" },
        choices.map((value) => h("span", { class: "check" },
          h("input", { type: "checkbox", id: `${base}-${value}`, "data-list": path, value, checked: list.includes(value) }),
          h("label", { for: `${base}-${value}` }, label(value)))),
        extra.map(({ value, index }) => h("span", { class: "check check-unknown", "data-anchor": `${path}[${index}]` },
          h("input", { type: "checkbox", id: `${base}-x${index}`, "data-list": path, value, checked: true }),
          h("label", { for: `${base}-x${index}` }, value)))));
  }

  methodFields() {
    return h("section", { class: "card editor-card", "aria-labelledby": "ed-method-title" },
      h("h2", { id: "ed-method-title" }, t("editor.method")),
      this.field("$.id", t("editor.field.id"), { hint: t("editor.id_hint") }),
      this.localized("$.name", t("editor.field.name")),
      this.localized("$.summary", t("editor.field.summary"), true),
      h("div", { class: "form-grid" },
        this.field("$.vote_budget", t("editor.field.vote_budget"), { type: "int", hint: t("editor.vote_budget_hint") }),
        this.checkbox("$.with_frame", t("editor.field.with_frame"), t("editor.with_frame_hint"))));
  }

  /** @param {Draft} draft */
  sectionsFields(draft) {
    const sections = Array.isArray(draft.sections) ? draft.sections : [];
    return h("section", { class: "card editor-card", "aria-labelledby": "ed-sections-title", "data-anchor": "$.sections" },
      h("h2", { id: "ed-sections-title" }, t("editor.sections"), " ", h("span", { class: "count" }, String(sections.length))),
      h("p", { class: "hint" }, t("editor.sections_hint")),
      h("ol", { class: "part-list" }, sections.map((section, index) => this.sectionCard(section, index))),
      h("button", { type: "button", class: "btn", "data-action": "add-section" }, t("editor.add_section")));
  }

  /**
   * @param {Draft} section
   * @param {number} index
   */
  sectionCard(section, index) {
    const uid = this.uid(section);
    const path = `$.sections[${index}]`;
    const open = this.open.has(uid);
    const name = loc(section.title) || section.id;
    const lanes = Array.isArray(section.lanes) ? section.lanes : [];
    return h("li", { class: "part-card", "data-key": uid },
      h("div", { class: "part-head" },
        h("h3", { id: `${uid}-title` }, name, " ", h("span", { class: "muted" }, `· ${t(`editor.kind.${section.kind}`)}`)),
        h("div", { class: "part-actions" },
          h("button", { type: "button", class: "btn btn-small", "data-action": "toggle", "data-uid": uid, "aria-expanded": String(open), "aria-controls": `${uid}-body`, "aria-describedby": `${uid}-title` }, t(open ? "editor.fold" : "editor.unfold")),
          h("button", { type: "button", class: "btn btn-small btn-danger-outline", "data-action": "remove-section", "data-index": String(index), "aria-label": t("editor.remove_section_named", { name }) }, t("editor.remove")))),
      h("div", { class: "part-body", id: `${uid}-body`, hidden: !open },
        h("div", { class: "form-grid" },
          this.field(`${path}.id`, t("editor.field.id")),
          h("div", { class: "field" },
            h("label", { for: fieldId(`${path}.kind`) }, t("editor.field.kind")),
            h("select", { id: fieldId(`${path}.kind`), "data-path": `${path}.kind`, "data-type": "text", "data-anchor": `${path}.kind` },
              (KINDS.includes(section.kind) ? KINDS : [section.kind, ...KINDS]).map((kind) => h("option", { value: kind, selected: kind === section.kind }, t(`editor.kind.${kind}`))))),
          this.field(`${path}.sheets`, t("editor.field.sheets"), { type: "int" })),
        this.localized(`${path}.title`, t("editor.field.title")),
        h("div", { class: "field-pair", "data-anchor": `${path}.prefix` },
          this.field(`${path}.prefix.nl`, `${t("editor.field.prefix")} (${t("editor.lang_nl")})`),
          this.field(`${path}.prefix.en`, `${t("editor.field.prefix")} (${t("editor.lang_en")})`)),
        this.checklist(`${path}.add`, t("editor.section_add"), ROLES, (r) => t(`role.${r}`)),
        h("fieldset", { class: "field lanes-field", "data-anchor": `${path}.lanes` },
          h("legend", {}, t("editor.field.lanes")),
          h("p", { class: "hint" }, t("editor.lanes_hint")),
          h("ol", { class: "lane-list" }, lanes.map((lane, i) => h("li", { class: "lane-row", "data-key": this.uid(lane) },
            this.field(`${path}.lanes[${i}].id`, t("editor.field.id")),
            this.field(`${path}.lanes[${i}].title.nl`, `${t("editor.field.title")} (${t("editor.lang_nl")})`),
            this.field(`${path}.lanes[${i}].title.en`, `${t("editor.field.title")} (${t("editor.lang_en")})`),
            h("button", { type: "button", class: "btn btn-small btn-quiet", "data-action": "remove-lane", "data-section": String(index), "data-index": String(i), "aria-label": t("editor.remove_lane_named", { n: i + 1, name }) }, t("editor.remove"))))),
          h("button", { type: "button", class: "btn btn-small", "data-action": "add-lane", "data-section": String(index), "aria-label": t("editor.add_lane_named", { name }) }, t("editor.add_lane")))));
  }

  /** @param {Draft} draft */
  stepsFields(draft) {
    const steps = Array.isArray(draft.steps) ? draft.steps : [];
    return h("section", { class: "card editor-card", "aria-labelledby": "ed-steps-title", "data-anchor": "$.steps" },
      h("h2", { id: "ed-steps-title" }, t("editor.steps"), " ", h("span", { class: "count" }, String(steps.length))),
      h("p", { class: "hint", id: "ed-reorder-hint" }, t("editor.reorder_hint")),
      h("ol", { class: "part-list step-list" }, steps.map((step, index) => this.stepCard(step, index, steps.length))),
      h("button", { type: "button", class: "btn", "data-action": "add-step" }, t("editor.add_step")));
  }

  /**
   * @param {Draft} step
   * @param {number} index
   * @param {number} count
   */
  stepCard(step, index, count) {
    const uid = this.uid(step);
    const path = `$.steps[${index}]`;
    const open = this.open.has(uid);
    const name = loc(step.title) || step.id;
    const shown = Array.isArray(step.sections) ? step.sections : [];
    const dragging = this.dragFrom === index;
    const target = this.dragFrom !== null && this.dropAt === index && !dragging;
    return h("li", { class: `part-card step-card${dragging ? " is-dragging" : ""}${target ? " is-drop-target" : ""}`, "data-key": uid, "data-step-index": String(index) },
      h("div", { class: "part-head" },
        h("span", { class: "drag-handle", "data-drag": String(index), title: t("editor.drag"), "aria-hidden": "true" }, "⋮⋮"),
        h("h3", { id: `${uid}-title` }, h("span", { class: "step-no" }, `${index + 1}.`), " ", name, " ", h("span", { class: "muted" }, `· ${t("editor.minutes_short", { n: String(step.minutes ?? "") })}`)),
        h("div", { class: "part-actions" },
        h("button", { type: "button", class: "btn btn-small", "data-action": "step-up", "data-index": String(index), disabled: index === 0, "aria-label": t("editor.up_named", { n: index + 1, name }), "aria-describedby": "ed-reorder-hint" }, "↑"),
        h("button", { type: "button", class: "btn btn-small", "data-action": "step-down", "data-index": String(index), disabled: index === count - 1, "aria-label": t("editor.down_named", { n: index + 1, name }) }, "↓"),
        h("button", { type: "button", class: "btn btn-small", "data-action": "toggle", "data-uid": uid, "aria-expanded": String(open), "aria-controls": `${uid}-body`, "aria-describedby": `${uid}-title` }, t(open ? "editor.fold" : "editor.unfold")),
        h("button", { type: "button", class: "btn btn-small btn-quiet", "data-action": "preview-step", "data-index": String(index), "aria-label": t("editor.preview_named", { n: index + 1, name }) }, t("editor.preview_this")),
        h("button", { type: "button", class: "btn btn-small btn-danger-outline", "data-action": "remove-step", "data-index": String(index), "aria-label": t("editor.remove_step_named", { n: index + 1, name }) }, t("editor.remove")))),
      h("div", { class: "part-body", id: `${uid}-body`, hidden: !open },
        h("div", { class: "form-grid" },
          this.field(`${path}.id`, t("editor.field.id")),
          this.field(`${path}.minutes`, t("editor.field.minutes"), { type: "int" })),
        this.localized(`${path}.title`, t("editor.field.title")),
        this.localized(`${path}.instruction`, t("editor.field.instruction"), true),
        h("div", { class: "field", "data-anchor": `${path}.sections` },
          h("h4", {}, t("editor.step_sections")),
          shown.length ? null : h("p", { class: "hint" }, t("editor.step_sections_none")),
          h("ol", { class: "step-sections" }, shown.map((entry, i) => this.stepSectionCard(entry, `${path}.sections[${i}]`, index, i))),
          this.addStepSection(index, shown))));
  }

  /**
   * A section as shown in a step: which one, rights per role, hidden, sealed, filter.
   * @param {Draft} entry
   * @param {string} path
   * @param {number} stepIndex
   * @param {number} index
   */
  stepSectionCard(entry, path, stepIndex, index) {
    const draft = /** @type {Draft} */ (this.draft);
    const sections = Array.isArray(draft.sections) ? draft.sections : [];
    const ids = sections.map((s) => String(s.id));
    const choices = ids.includes(entry.section) ? ids : [String(entry.section), ...ids];
    const name = loc(sections.find((s) => s.id === entry.section)?.title) || entry.section;
    return h("li", { class: "step-section", "data-key": this.uid(entry) },
      h("div", { class: "form-row" },
        h("div", { class: "field" },
          h("label", { for: fieldId(`${path}.section`) }, t("editor.field.section")),
          h("select", { id: fieldId(`${path}.section`), "data-path": `${path}.section`, "data-type": "text", "data-anchor": `${path}.section` },
            choices.map((id) => h("option", { value: id, selected: id === entry.section }, loc(sections.find((s) => s.id === id)?.title) || id)))),
        h("button", { type: "button", class: "btn btn-small btn-quiet", "data-action": "remove-step-section", "data-step": String(stepIndex), "data-index": String(index), "aria-label": t("editor.remove_shown_named", { name }) }, t("editor.remove"))),
      h("div", { class: "rights" },
        RIGHTS.map((right) => this.checklist(`${path}.${right}`, t(`editor.right.${right}`), ROLES, (r) => t(`role.${r}`)))),
      h("div", { class: "form-grid" },
        this.checkbox(`${path}.hidden`, t("editor.field.hidden"), t("editor.hidden_hint")),
        this.checkbox(`${path}.hide_ratings`, t("editor.field.hide_ratings"), t("editor.hide_ratings_hint"))),
      this.checklist(`${path}.filter`, t("editor.field.filter"), FILTERS, (f) => t(`filter.${f}`)));
  }

  /**
   * @param {number} stepIndex
   * @param {Draft[]} shown
   */
  addStepSection(stepIndex, shown) {
    const draft = /** @type {Draft} */ (this.draft);
    const used = new Set(shown.map((s) => s.section));
    const free = (Array.isArray(draft.sections) ? draft.sections : []).filter((s) => !used.has(s.id));
    if (!free.length) return h("p", { class: "hint" }, t("editor.step_sections_all"));
    const id = `ed-add-shown-${stepIndex}`;
    return h("div", { class: "form-row add-shown" },
      h("label", { for: id }, t("editor.show_section")),
      h("select", { id, "data-add-shown": String(stepIndex) }, free.map((s) => h("option", { value: s.id }, loc(s.title) || s.id))),
      h("button", { type: "button", class: "btn btn-small", "data-action": "add-step-section", "data-step": String(stepIndex) }, t("editor.show")));
  }

  /** @param {Draft} draft */
  previewPanel(draft) {
    const steps = Array.isArray(draft.steps) ? draft.steps : [];
    return h("aside", { class: "editor-preview card", "aria-labelledby": "ed-preview-title" },
      h("h2", { id: "ed-preview-title" }, t("editor.preview")),
      h("div", { class: "form-row" },
        h("label", { for: "ed-preview-step" }, t("editor.preview_step")),
        h("select", { id: "ed-preview-step", "data-preview-step": "" }, steps.map((step, i) => h("option", { value: String(i), selected: i === this.previewStep }, `${i + 1}. ${loc(step.title) || step.id}`)))),
      h("fieldset", { class: "role-switch" },
        h("legend", {}, t("editor.preview_as")),
        ROLES.map((role) => h("span", { class: "check" },
          h("input", { type: "radio", name: "ed-preview-role", id: `ed-preview-${role}`, value: role, checked: role === this.previewRole, "data-preview-role": "" }),
          h("label", { for: `ed-preview-${role}` }, t(`role.${role}`))))),
      this.previewStale && this.preview ? h("p", { class: "hint" }, t("editor.preview_stale")) : null,
      this.preview ? renderPreview(this.preview, this.previewRole, this.previewStep + 1) : h("p", { class: "hint" }, t("editor.preview_none")));
  }

  // -- events -----------------------------------------------------------------------

  /**
   * @param {Event} event
   * @param {boolean} committed a change event (checkbox, select, leaving a field)
   */
  onInput(event, committed) {
    const target = event.target;
    if (!(target instanceof HTMLInputElement || target instanceof HTMLSelectElement || target instanceof HTMLTextAreaElement)) return;
    if (target.dataset.import !== undefined) {
      this.importText = target.value;
      return;
    }
    if (target.dataset.importFile !== undefined && target instanceof HTMLInputElement && committed) {
      target.files?.[0]?.text().then((text) => { this.importText = text; this.render(); });
      return;
    }
    if (target.dataset.previewStep !== undefined && committed) {
      this.previewStep = Number(target.value);
      this.scheduleCheck(0);
      return;
    }
    if (target.dataset.previewRole !== undefined && committed) {
      this.previewRole = /** @type {PreviewRole} */ (target.value);
      this.render();
      return;
    }
    const draft = this.draft;
    if (!draft) return;
    const list = target.dataset.list;
    if (list !== undefined && target instanceof HTMLInputElement) {
      if (!committed) return;
      const current = getAt(draft, list);
      const values = Array.isArray(current) ? [...current] : [];
      const at = values.indexOf(target.value);
      if (target.checked && at < 0) values.push(target.value);
      if (!target.checked && at >= 0) values.splice(at, 1);
      setAt(draft, list, values);
    } else if (target.dataset.path !== undefined) {
      const path = target.dataset.path;
      if (target.dataset.type === "bool" && target instanceof HTMLInputElement) {
        if (!committed) return;
        setAt(draft, path, target.checked);
      } else if (target.dataset.type === "int") {
        const text = target.value.trim();
        setAt(draft, path, /^-?\d+$/.test(text) ? Number(text) : text);
      } else {
        setAt(draft, path, target.value);
        this.dropEmptyPrefix(path);
      }
    } else {
      return;
    }
    this.dirty = true;
    this.status = "";
    if (committed) this.render();
    this.scheduleCheck();
  }

  /**
   * A prefix with neither language filled in is no prefix.
   * @param {string} path
   */
  dropEmptyPrefix(path) {
    const match = /^(\$\.sections\[\d+\]\.prefix)\.(nl|en)$/.exec(path);
    if (!match || !this.draft) return;
    const prefix = getAt(this.draft, match[1]);
    if (prefix && !prefix.nl && !prefix.en) setAt(this.draft, match[1], null);
  }

  /** @param {MouseEvent} event */
  onClick(event) {
    const link = event.target instanceof Element ? event.target.closest("a[data-focus-path]") : null;
    if (link instanceof HTMLAnchorElement) {
      event.preventDefault();
      const field = this.querySelector(`#${CSS.escape(link.hash.slice(1))}`);
      if (field instanceof HTMLElement) field.focus();
      return;
    }
    const button = event.target instanceof Element ? event.target.closest("button[data-action]") : null;
    if (!(button instanceof HTMLButtonElement)) return;
    const action = button.dataset.action ?? "";
    const index = Number(button.dataset.index ?? -1);
    if (action === "delete-saved") {
      this.removeSaved(button.dataset.id ?? "");
      return;
    }
    const draft = this.draft;
    if (!draft) return;
    const steps = /** @type {Draft[]} */ (Array.isArray(draft.steps) ? draft.steps : (draft.steps = []));
    const sections = /** @type {Draft[]} */ (Array.isArray(draft.sections) ? draft.sections : (draft.sections = []));
    switch (action) {
      case "save": this.save(); return;
      case "export": this.download(); return;
      case "publish": this.togglePublished(); return;
      case "import-toggle": this.importOpen = !this.importOpen; this.render(); return;
      case "import-apply": this.importToml(); return;
      case "toggle": {
        const uid = button.dataset.uid ?? "";
        if (this.open.has(uid)) this.open.delete(uid); else this.open.add(uid);
        this.render();
        return;
      }
      case "preview-step":
        this.previewStep = index;
        this.scheduleCheck(0);
        this.querySelector("#ed-preview-title")?.scrollIntoView({ block: "nearest" });
        return;
      case "add-section": {
        const section = emptySection(sections);
        sections.push(section);
        this.open.add(this.uid(section));
        break;
      }
      case "remove-section": sections.splice(index, 1); break;
      case "add-lane": {
        const section = sections[Number(button.dataset.section)];
        if (!Array.isArray(section.lanes)) section.lanes = [];
        section.lanes.push(emptyLane(section.lanes));
        break;
      }
      case "remove-lane": sections[Number(button.dataset.section)].lanes.splice(index, 1); break;
      case "add-step": {
        const step = emptyStep(steps);
        steps.push(step);
        this.open.add(this.uid(step));
        this.previewStep = steps.length - 1;
        break;
      }
      case "remove-step":
        steps.splice(index, 1);
        this.announce(t("editor.removed_step", { n: index + 1 }));
        break;
      case "step-up":
      case "step-down": {
        const to = index + (action === "step-up" ? -1 : 1);
        if (!this.moveStep(index, to)) return;
        this.refocus = { uid: this.uid(steps[to]), action };
        break;
      }
      case "add-step-section": {
        const stepIndex = Number(button.dataset.step);
        const select = this.querySelector(`[data-add-shown="${stepIndex}"]`);
        if (!(select instanceof HTMLSelectElement) || !select.value) return;
        const step = steps[stepIndex];
        if (!Array.isArray(step.sections)) step.sections = [];
        step.sections.push(emptyStepSection(select.value));
        break;
      }
      case "remove-step-section": steps[Number(button.dataset.step)].sections.splice(index, 1); break;
      default: return;
    }
    this.dirty = true;
    this.status = "";
    this.render();
    this.scheduleCheck(0);
  }

  /**
   * @param {number} from
   * @param {number} to
   */
  moveStep(from, to) {
    const steps = /** @type {Draft} */ (this.draft).steps;
    if (!move(steps, from, to)) return false;
    if (this.previewStep === from) this.previewStep = to;
    const step = steps[to];
    this.announce(t("editor.moved_step", { name: loc(step.title) || step.id, n: to + 1 }));
    return true;
  }

  /** @param {string} text */
  announce(text) {
    const region = document.getElementById("announcer");
    if (region) region.textContent = text;
  }

  /** @param {KeyboardEvent} event Alt+ArrowUp/Down moves the step that has the focus. */
  onKeydown(event) {
    if (!event.altKey || (event.key !== "ArrowUp" && event.key !== "ArrowDown")) return;
    const card = event.target instanceof Element ? event.target.closest("[data-step-index]") : null;
    if (!(card instanceof HTMLElement) || !this.draft) return;
    event.preventDefault();
    const from = Number(card.dataset.stepIndex);
    const to = from + (event.key === "ArrowUp" ? -1 : 1);
    if (!this.moveStep(from, to)) return;
    this.refocus = { uid: this.uid(this.draft.steps[to]), action: event.key === "ArrowUp" ? "step-up" : "step-down" };
    this.dirty = true;
    this.render();
    this.scheduleCheck(0);
  }

  // Pointer reordering (mouse, pen and touch alike): press a step's handle, move over
  // another step, let go.

  /** @param {PointerEvent} event */
  onPointerDown(event) {
    const handle = event.target instanceof Element ? event.target.closest("[data-drag]") : null;
    if (!(handle instanceof HTMLElement) || event.button !== 0) return;
    event.preventDefault();
    handle.setPointerCapture(event.pointerId);
    this.dragFrom = Number(handle.dataset.drag);
    this.dropAt = this.dragFrom;
    this.render();
  }

  /** @param {PointerEvent} event */
  onPointerMove(event) {
    if (this.dragFrom === null) return;
    const under = document.elementFromPoint(event.clientX, event.clientY);
    const card = under ? under.closest("[data-step-index]") : null;
    const at = card instanceof HTMLElement ? Number(card.dataset.stepIndex) : this.dropAt;
    if (at !== this.dropAt) {
      this.dropAt = at;
      this.render();
    }
  }

  /** @param {PointerEvent} event */
  onPointerUp(event) {
    if (this.dragFrom === null) return;
    this.onPointerMove(event);
    const from = this.dragFrom;
    const to = this.dropAt;
    this.dragFrom = null;
    this.dropAt = null;
    if (to !== null && this.moveStep(from, to)) {
      this.dirty = true;
      this.scheduleCheck(0);
    }
    this.render();
  }

  // -- saving, import, export, publishing ---------------------------------------------

  async save() {
    if (!this.draft) return;
    clearTimeout(this.checkTimer);
    this.checkSeq += 1;
    try {
      const answer = await saveMethod(this.draft, lang(), this.savedId, this.version);
      this.savedId = answer.saved_id;
      this.version = answer.version;
      this.problems = [];
      this.valid = true;
      this.dirty = false;
      this.status = t("editor.saved", { version: answer.version });
      history.replaceState(null, "", `/methods/edit?saved=${answer.saved_id}`);
      this.saved = await listSaved();
    } catch (error) {
      if (error instanceof MethodInvalid) {
        this.problems = error.problems;
        this.valid = false;
        this.status = t("editor.not_saved");
        this.openProblems();
        this.render();
        const heading = this.querySelector("#ed-problems-title");
        if (heading instanceof HTMLElement) heading.focus();
        return;
      }
      this.status = error instanceof HttpError && error.code === "stale_version" ? t("editor.stale") : this.explainError(error);
    }
    this.render();
    if (this.valid) this.scheduleCheck(0);
  }

  async download() {
    if (!this.draft) return;
    try {
      const text = await exportMethod(this.draft, lang());
      const url = URL.createObjectURL(new Blob([text], { type: "application/toml" }));
      const link = h("a", { href: url, download: `${this.draft.id}.toml`, hidden: true });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      this.status = t("editor.exported");
    } catch (error) {
      if (error instanceof MethodInvalid) {
        this.problems = error.problems;
        this.valid = false;
        this.openProblems();
        this.status = t("editor.not_exported");
      } else {
        this.status = this.explainError(error);
      }
    }
    this.render();
  }

  async importToml() {
    try {
      const method = await checkMethod({ toml: this.importText, language: lang() });
      this.draft = method;
      this.importOpen = false;
      this.importText = "";
      this.dirty = true;
      this.status = t("editor.imported");
      this.scheduleCheck(0);
    } catch (error) {
      if (error instanceof MethodInvalid) {
        // a file that is TOML is loaded as read, so its problems can be fixed here
        if (error.data) {
          this.draft = error.data;
          this.importOpen = false;
          this.dirty = true;
        }
        this.problems = error.problems;
        this.valid = false;
        this.openProblems();
        this.status = t("editor.import_problems");
      } else {
        this.status = this.explainError(error);
      }
    }
    this.render();
  }

  async togglePublished() {
    if (!this.savedId) return;
    try {
      const answer = await publishMethod(this.savedId, !this.published);
      this.published = answer.published;
      this.version = answer.version;
      this.status = t(this.published ? "editor.now_published" : "editor.now_private");
    } catch (error) {
      this.status = this.explainError(error);
    }
    this.render();
  }

  /** @param {string} savedId */
  async removeSaved(savedId) {
    try {
      await deleteSaved(savedId);
      this.saved = await listSaved();
      this.status = t("editor.deleted");
    } catch (error) {
      this.status = this.explainError(error);
    }
    this.render();
  }
}

// <iv-method-editor>: make a method in the browser. Start from an empty method or a
// copy of any method; edit steps, sections, rights per role, hidden and sealed
// sections, carry-forward filters; reorder steps by keyboard or pointer; see a step as
// each role would. Every check is the server's loader (POST /api/methods/check): its
// problems are shown next to the field their path names, and a save it refuses stores
// nothing. No rule is repeated here.

import {
  checkMethod, exportInstalled, getSaved, HttpError, listMethods, listSaved, MethodInvalid, previewMethod,
} from "./api.js";
import { h, morphChildren } from "./dom.js";
import { explain, lang, loc, t } from "./i18n.js";
import { copyOf, editDraft, emptyMethod, getAt, move, setAt } from "./method-draft.js";
import { focusedField, keepFocus } from "./focus-keep.js";
import { chooserView, editorView, placeProblems, touchedProblems } from "./method-page.js";
import { download, importToml, removeSaved, save, togglePublished } from "./method-persist.js";
import { onKeydown, onPointerDown, onPointerMove, onPointerUp } from "./method-reorder.js";
import { brandHeader } from "./shell.js";

/** @typedef {import("./method-draft.js").Draft} Draft */
/** @typedef {import("./api.js").Problem} Problem */
/** @typedef {import("./api.js").MethodSummary} MethodSummary */
/** @typedef {import("./api.js").SavedList} SavedList */
/** @typedef {import("./api.js").Preview} Preview */
/** @typedef {"facilitator" | "presenter" | "participant"} PreviewRole */

const CHECK_DELAY_MS = 250;

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
    /** Every problem at its field (a new method: touched fields only, until saved) */
    this.showAllProblems = true;
    /** @type {Set<string>} fields changed, as of the last check (a message comes with
     * a check's answer, never while the focus moves on) */
    this.touched = new Set();
    /** @type {Set<string>} fields changed since the last check was sent */
    this.touchedSince = new Set();
    /** @type {string | null} why the pasted text could not be read at all (shown at the text) */
    this.importError = null;
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
    this.addEventListener("keydown", (e) => onKeydown(this, e));
    this.addEventListener("pointerdown", (e) => onPointerDown(this, e));
    this.addEventListener("pointermove", (e) => onPointerMove(this, e));
    this.addEventListener("pointerup", (e) => onPointerUp(this, e));
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
      this.showAllProblems = false;
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
    const touched = [...this.touchedSince];
    this.touchedSince.clear();
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
    for (const path of touched) this.touched.add(path);
    if (seq === this.checkSeq) {
      this.openProblems();
      this.render();
    }
  }

  /** The problems shown at their fields: all, or those of touched fields (a new method). */
  shownProblems() {
    return this.showAllProblems ? this.problems : touchedProblems(this.problems, this.touched);
  }

  /** Unfold the steps and sections a problem names, so its message is in sight. */
  openProblems() {
    const draft = this.draft;
    if (!draft) return;
    for (const problem of this.shownProblems()) {
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
      const tree = h("div", {}, brandHeader(), this.draft ? editorView(this, this.draft) : chooserView(this));
      if (this.draft) placeProblems(tree, this.shownProblems(), this.draft);
      const focused = focusedField(this);
      morphChildren(this, tree);
      this.restoreFocus();
      keepFocus(this, focused);
    } finally {
      this.rendering = false;
    }
    if (this.renderAgain) {
      this.renderAgain = false;
      queueMicrotask(() => this.render());
    }
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
    const touched = list ?? target.dataset.path;
    if (touched !== undefined) this.touchedSince.add(touched);
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
      } else if (target.dataset.type === "round" && target instanceof HTMLInputElement) {
        if (!committed) return;
        setAt(draft, path, target.checked ? { seconds: 60, order: "seat", roles: ["facilitator", "presenter", "participant"] } : null);
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
   * A prefix (or facilitator notes) with neither language filled in is none.
   * @param {string} path
   */
  dropEmptyPrefix(path) {
    const match = /^(\$\.sections\[\d+\]\.prefix|\$\.steps\[\d+\]\.facilitator_notes)\.(nl|en)$/.exec(path);
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
      removeSaved(this, button.dataset.id ?? "");
      return;
    }
    const draft = this.draft;
    if (!draft) return;
    const steps = /** @type {Draft[]} */ (Array.isArray(draft.steps) ? draft.steps : (draft.steps = []));
    switch (action) {
      case "save": save(this); return;
      case "export": download(this); return;
      case "publish": togglePublished(this); return;
      case "import-toggle": this.importOpen = !this.importOpen; this.render(); return;
      case "import-apply": importToml(this); return;
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
      case "step-up":
      case "step-down": {
        const to = index + (action === "step-up" ? -1 : 1);
        if (!this.moveStep(index, to)) return;
        this.refocus = { uid: this.uid(steps[to]), action };
        break;
      }
      default: {
        const select = this.querySelector(`[data-add-shown="${button.dataset.step}"]`);
        const shown = select instanceof HTMLSelectElement ? select.value : "";
        const result = editDraft(draft, action, { index, section: Number(button.dataset.section), step: Number(button.dataset.step), shown });
        if (!result) return;
        if (result.added) this.open.add(this.uid(result.added));
        if (action === "add-step") this.previewStep = steps.length - 1;
        if (action === "remove-step") this.announce(t("editor.removed_step", { n: index + 1 }));
      }
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


}

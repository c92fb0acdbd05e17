// The method editor's page around the form: the chooser (start empty, from a copy, or
// from a saved method), the toolbar, and the loader's problems put next to the
// fields their paths name, with a summary linking to each.

import { h } from "./dom.js";
import { loc, t, tn } from "./i18n.js";
import { ancestors } from "./method-draft.js";
import { fieldId } from "./method-fields.js";
import { methodFields, previewPanel, sectionsFields, stepsFields } from "./method-form.js";

/** @typedef {import("./method-draft.js").Draft} Draft */
/** @typedef {import("./api.js").Problem} Problem */
/** @typedef {import("./method-editor.js").MethodEditorElement} Editor */

/** @param {Editor} editor */
export function chooserView(editor) {
  const mine = editor.saved.mine;
  return h("main", { id: "main", class: "page" },
    h("div", { class: "hero" },
      h("h1", {}, t("editor.title")),
      h("p", { class: "lead" }, t("editor.lead"))),
    editor.error ? h("p", { class: "notice notice-error", role: "alert" }, editor.error) : null,
    h("div", { class: "start-grid" },
      h("section", { class: "card", "aria-labelledby": "ed-start-title" },
        h("h2", { id: "ed-start-title" }, t("editor.start_from")),
        h("p", {}, h("a", { class: "btn btn-primary", href: "/methods/edit?new" }, t("editor.new_empty"))),
        h("h3", {}, t("editor.copy_of")),
        h("ul", { class: "method-choices" }, editor.installed.map((m) => h("li", {},
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
        editor.saved.published.length ? [
          h("h3", {}, t("editor.shared")),
          h("ul", { class: "method-choices" }, editor.saved.published.map((m) => h("li", {},
            h("span", {}, loc(m.name)),
            h("a", { class: "btn btn-small", href: `/methods/edit?copy=${m.saved_id}`, "aria-label": t("editor.copy_named", { name: loc(m.name) }) }, t("editor.copy"))))),
        ] : null,
        h("p", { class: "hint" }, t("editor.key_hint")))),
    h("p", { class: "info", role: "status" }, editor.status));
}

/** @param {Draft} draft */

/**
 * @param {Editor} editor
 * @param {Draft} draft
 */
export function editorView(editor, draft) {
  return h("main", { id: "main", class: "page page-wide editor" },
    h("div", { class: "editor-head" },
      h("h1", {}, t("editor.title"), ": ", loc(draft.name) || draft.id || "…"),
      h("p", { class: "hint" }, h("a", { href: "/methods/edit" }, t("editor.back")))),
    toolbar(editor),
    editor.error ? h("p", { class: "notice notice-error", role: "alert" }, editor.error) : null,
    h("div", { "data-problem-summary": "" }),
    h("div", { class: "editor-layout" },
      h("form", { class: "editor-form", "aria-label": t("editor.form_label"), novalidate: true },
        methodFields(editor),
        sectionsFields(editor, draft),
        stepsFields(editor, draft)),
      previewPanel(editor, draft)));
}

/** @param {Editor} editor */
export function toolbar(editor) {
  const saved = editor.savedId !== null;
  return h("div", { class: "editor-toolbar", role: "group", "aria-label": t("editor.actions") },
    h("button", { type: "button", class: "btn btn-primary", "data-action": "save" }, t("editor.save")),
    h("button", { type: "button", class: "btn", "data-action": "export" }, t("editor.export")),
    h("button", { type: "button", class: "btn", "data-action": "import-toggle", "aria-expanded": String(editor.importOpen), "aria-controls": "ed-import" }, t("editor.import")),
    saved && editor.saved.may_publish
      ? h("button", { type: "button", class: "btn", "data-action": "publish", "aria-pressed": String(editor.published) }, t(editor.published ? "editor.unpublish" : "editor.publish"))
      : null,
    saved ? h("a", { class: "btn", href: `/?saved=${editor.savedId}`, "data-use": "" }, t("editor.use")) : null,
    h("p", { class: "editor-status", role: "status", "aria-live": "polite" },
      editor.status || (editor.dirty ? t("editor.unsaved") : ""),
      " ",
      editor.valid ? h("span", { class: "ok" }, t("editor.valid")) : editor.problems.length ? h("span", { class: "form-error" }, tn("editor.problems", editor.problems.length)) : null),
    editor.importOpen ? h("div", { class: "import-panel stack", id: "ed-import", "data-key": "import" },
      h("label", { for: "ed-import-text" }, t("editor.import_label")),
      h("textarea", { id: "ed-import-text", rows: "8", "data-import": "", spellcheck: "false", "data-anchor": "$", "aria-invalid": editor.importError ? "true" : undefined, "aria-describedby": editor.importError ? "ed-import-error" : undefined }, editor.importText),
      editor.importError ? h("p", { class: "form-error", id: "ed-import-error", "data-import-error": "" }, editor.importError) : null,
      h("label", { for: "ed-import-file" }, t("editor.import_file")),
      h("input", { id: "ed-import-file", type: "file", accept: ".toml,text/plain,application/toml", "data-import-file": "" }),
      h("div", { class: "form-row" },
        h("button", { type: "button", class: "btn", "data-action": "import-apply" }, t("editor.import_apply")))) : null);
}

/**
 * A path in words: "Stap 3 · Titel (nl)".
 * @param {Draft} draft
 * @param {string} path
 */
export function describePath(draft, path) {
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
 * The problems of the fields in `touched` (or inside them).
 * @param {Problem[]} problems
 * @param {Set<string>} touched
 */
export function touchedProblems(problems, touched) {
  const paths = [...touched];
  return problems.filter((p) => paths.some((path) =>
    p.path === path || p.path.startsWith(`${path}.`) || p.path.startsWith(`${path}[`)));
}

/**
 * Put each problem's message next to the field its path names (the most specific
 * field the form has), and mark that field invalid.
 * Then fill the summary's place with a list of the problems, each linking to its field.
 * @param {HTMLElement} tree
 * @param {Problem[]} problems
 * @param {Draft} draft
 */
export function placeProblems(tree, problems, draft) {
  /** @type {string[]} */
  const anchors = [];
  problems.forEach((problem, index) => {
    const anchor = ancestors(problem.path)
      .map((p) => tree.querySelector(`[data-anchor="${CSS.escape(p)}"]`))
      .find((el) => el !== null);
    if (!(anchor instanceof HTMLElement)) return;
    anchors[index] = anchor.getAttribute("data-anchor") ?? problem.path;
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
  const summary = tree.querySelector("[data-problem-summary]");
  if (!summary) return;
  summary.replaceWith(problems.length
    ? h("section", { class: "notice notice-error problem-summary", "aria-labelledby": "ed-problems-title", "data-key": "problems" },
      h("div", {},
        h("h2", { id: "ed-problems-title", tabindex: "-1" }, t("editor.problems_title", { n: problems.length })),
        h("ul", {}, problems.map((p, i) => h("li", {},
          h("a", { href: `#${fieldId(anchors[i] ?? p.path)}`, "data-focus-path": anchors[i] ?? p.path }, describePath(draft, p.path)),
          ": ", p.message)))))
    : h("div", { hidden: true }));
}

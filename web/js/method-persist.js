// Saving, exporting, importing, publishing and deleting methods for the editor. Every
// answer is the server's: a refused save shows the loader's problems and stores
// nothing.

import {
  checkMethod, deleteSaved, exportMethod, HttpError, listSaved, MethodInvalid, publishMethod, saveMethod,
} from "./api.js";
import { h } from "./dom.js";
import { lang, t } from "./i18n.js";

/** @typedef {import("./method-editor.js").MethodEditorElement} Editor */

/** @param {Editor} editor */
export async function save(editor) {
  if (!editor.draft) return;
  clearTimeout(editor.checkTimer);
  editor.checkSeq += 1;
  try {
    const answer = await saveMethod(editor.draft, lang(), editor.savedId, editor.version);
    editor.savedId = answer.saved_id;
    editor.version = answer.version;
    editor.problems = [];
    editor.valid = true;
    editor.dirty = false;
    editor.status = t("editor.saved", { version: answer.version });
    history.replaceState(null, "", `/methods/edit?saved=${answer.saved_id}`);
    editor.saved = await listSaved();
  } catch (error) {
    if (error instanceof MethodInvalid) {
      editor.problems = error.problems;
      editor.valid = false;
      editor.status = t("editor.not_saved");
      editor.showAllProblems = true;
      editor.openProblems();
      editor.render();
      const heading = editor.querySelector("#ed-problems-title");
      if (heading instanceof HTMLElement) heading.focus();
      return;
    }
    editor.status = error instanceof HttpError && error.code === "stale_version" ? t("editor.stale") : editor.explainError(error);
  }
  editor.render();
  if (editor.valid) editor.scheduleCheck(0);
}

/** @param {Editor} editor */
export async function download(editor) {
  if (!editor.draft) return;
  try {
    const text = await exportMethod(editor.draft, lang());
    const url = URL.createObjectURL(new Blob([text], { type: "application/toml" }));
    const link = h("a", { href: url, download: `${editor.draft.id}.toml`, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    editor.status = t("editor.exported");
  } catch (error) {
    if (error instanceof MethodInvalid) {
      editor.problems = error.problems;
      editor.valid = false;
      editor.showAllProblems = true;
      editor.openProblems();
      editor.status = t("editor.not_exported");
    } else {
      editor.status = editor.explainError(error);
    }
  }
  editor.render();
}

/** @param {Editor} editor */
export async function importToml(editor) {
  try {
    const method = await checkMethod({ toml: editor.importText, language: lang() });
    editor.draft = method;
    editor.importOpen = false;
    editor.importText = "";
    editor.importError = null;
    editor.dirty = true;
    editor.status = t("editor.imported");
    editor.scheduleCheck(0);
  } catch (error) {
    if (error instanceof MethodInvalid) {
      if (!error.data) {
        // not TOML at all: nothing is loaded; the reason stands at the pasted text
        editor.importError = error.problems.map((p) => p.message).join(" ");
        editor.status = t("editor.import_failed");
        editor.render();
        document.getElementById("ed-import-text")?.focus();
        return;
      }
      // a file that is TOML is loaded as read, so its problems can be fixed here
      editor.draft = error.data;
      editor.importOpen = false;
      editor.importError = null;
      editor.dirty = true;
      editor.problems = error.problems;
      editor.valid = false;
      editor.showAllProblems = true;
      editor.openProblems();
      editor.status = t("editor.import_problems");
    } else {
      editor.status = editor.explainError(error);
    }
  }
  editor.render();
}

/** @param {Editor} editor */
export async function togglePublished(editor) {
  if (!editor.savedId) return;
  try {
    const answer = await publishMethod(editor.savedId, !editor.published);
    editor.published = answer.published;
    editor.version = answer.version;
    editor.status = t(editor.published ? "editor.now_published" : "editor.now_private");
  } catch (error) {
    editor.status = editor.explainError(error);
  }
  editor.render();
}

/**
 * @param {Editor} editor
 * @param {string} savedId
 */
export async function removeSaved(editor, savedId) {
  try {
    await deleteSaved(savedId);
    editor.saved = await listSaved();
    editor.status = t("editor.deleted");
  } catch (error) {
    editor.status = editor.explainError(error);
  }
  editor.render();
}

// The export panel of a closed session: one button per format; each fetches the
// export with the link's token in the Authorization header and saves the file.

import { fetchExport, HttpError } from "./api.js";
import { h } from "./dom.js";
import { explain, t } from "./i18n.js";

export const FORMATS = /** @type {const} */ (["pdf", "md", "csv", "json"]);

/**
 * @param {import("./model.js").BoardModel} model
 */
export function exportPanel(model) {
  return h("section", { class: "export-panel", "aria-labelledby": "export-title", "data-key": "export" },
    h("h2", { id: "export-title" }, t("export.title")),
    model.mayExport ? [
      h("p", { class: "hint" }, t("export.body")),
      h("div", { class: "export-buttons" },
        FORMATS.map((format) => h("button", { type: "button", class: "btn", "data-action": "export", "data-format": format }, t(`export.${format}`)))),
    ] : h("p", { class: "hint", "data-export-off": "" }, t("export.off")),
    h("p", { class: "export-status", role: "status", "data-export-status": "", "data-keep": "" }),
    model.board.anonymous ? h("p", { class: "hint" }, t("export.anonymous")) : null,
    ...(model.role === "facilitator" ? exportToggle(model) : []));
}

/**
 * The facilitator's switch for participant export (invite-link holders), before and
 * after the close.
 * @param {import("./model.js").BoardModel} model
 */
export function exportToggle(model) {
  const on = model.board.participant_export ?? true;
  return [
    h("button", { type: "button", class: "btn btn-block", "data-action": "export-toggle", "aria-pressed": String(on) },
      t(on ? "lead.export_on" : "lead.export_off")),
    h("p", { class: "hint" }, t("lead.export_hint")),
  ];
}

/**
 * @param {string} sessionId
 * @param {string} token
 * @param {string} format
 * @param {HTMLElement} button
 */
export async function download(sessionId, token, format, button) {
  const status = button.closest(".export-panel")?.querySelector("[data-export-status]");
  if (status) status.textContent = t("export.busy");
  try {
    const { blob, filename } = await fetchExport(sessionId, format, token);
    const url = URL.createObjectURL(blob);
    const link = document.createElement("a");
    link.href = url;
    link.download = filename;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    if (status) status.textContent = t("export.done", { file: filename });
  } catch (error) {
    // A server without the export endpoints answers a plain 404: not available.
    const code = error instanceof HttpError ? (error.status === 404 ? "not_found" : error.code) : "network";
    const known = code === "not_found" || code === "export_disabled" || code === "not_closed" || code === "network";
    if (status) status.textContent = known ? explain(`export_${code}`) : explain(code);
  }
}

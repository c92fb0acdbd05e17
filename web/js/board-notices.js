// The notice the viewer gets when the server turns an op down or reports an error:
// what was asked and why, in words from the catalogs. A rate limit or a busy server is
// an "info" notice (it goes away by itself); a handshake retry shows nothing.

import { explain, t } from "./i18n.js";

/** @typedef {import("./connection.js").Op} Op */
/** @typedef {import("./board-state.js").Notice} Notice */
/** @typedef {import("../types/protocol").Error} ErrorMessage */

/**
 * @param {string} code the rejection code
 * @param {Op | undefined} op the op it answers
 * @returns {Notice}
 */
export function rejectionNotice(code, op) {
  return { kind: "error", text: t("notice.rejected", { what: describe(op), why: explain(code) }) };
}

/**
 * @param {ErrorMessage} error
 * @param {Op | undefined} op the op it answers, if any
 * @returns {Notice | null}
 */
export function errorNotice(error, op) {
  if (error.code === "hello_required" || error.code === "facilitator_taken") return null;
  if (error.code === "rate_limited" || error.code === "unavailable") return { kind: "info", text: explain(error.code) };
  return { kind: "error", text: op ? t("notice.rejected", { what: describe(op), why: explain(error.code) }) : explain(error.code) };
}

/**
 * Words for an op.
 * @param {Op | undefined} op
 */
function describe(op) {
  return op ? t(`op.${op.type}`) : t("op.unknown");
}

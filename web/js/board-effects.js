// What the board element does after an action besides sending ops and changing its
// view state (Effect in board-actions.js): focus, clipboard, download, joining, the
// case preparation and the question reader. The one place that touches the page and
// the browser's storage on an action's behalf.

import { download } from "./export-panel.js";
import { t } from "./i18n.js";
import { clearDraft } from "./prepare.js";
import { copyText } from "./shell.js";

/** @typedef {import("./board-actions.js").Effect} Effect */
/** @typedef {import("./board.js").BoardElement} BoardElement */

/**
 * @param {BoardElement} board
 * @param {Effect} effect
 * @param {EventTarget | null} source the control that was used
 * @param {boolean} sent whether every op of the outcome went out
 */
export function carryOut(board, effect, source, sent) {
  switch (effect.kind) {
    case "download":
      if (source instanceof HTMLElement) download(board.sessionId, board.token, effect.format, source);
      break;
    case "copy":
      copyText(effect.text).then((ok) => board.showNotice({ kind: "info", text: t(ok ? "notice.copied" : "notice.copy_failed") }));
      break;
    case "join":
      board.join(effect.name);
      break;
    case "reconnect":
      board.connection?.restart(effect.takeOver);
      break;
    case "focus-near": {
      // Before an item goes away, the focus moves to its neighbour.
      const el = itemElement(board, effect.item);
      const next = el?.nextElementSibling ?? el?.previousElementSibling;
      if (next instanceof HTMLElement) next.focus();
      break;
    }
    case "focus-item": {
      const id = effect.item;
      queueMicrotask(() => focusOn(itemElement(board, id)));
      break;
    }
    case "focus-after-render": {
      const selector = effect.selector;
      queueMicrotask(() => focusOn(board.querySelector(selector)));
      break;
    }
    case "forget-hint":
      board.questions.forget(effect.key);
      break;
    case "prep-bring":
      board.bringCase();
      break;
    case "prep-clear":
      clearDraft(board.sessionId);
      board.scheduleRender();
      break;
    case "reset-add-form": {
      const area = source instanceof HTMLFormElement ? source.querySelector("textarea") : null;
      if (sent && area) {
        area.value = "";
        board.attention.sent(source);
      }
      area?.focus();
      break;
    }
  }
}

/**
 * @param {ParentNode} root
 * @param {string} id
 */
function itemElement(root, id) {
  return root.querySelector(`li[data-item="${CSS.escape(id)}"]`);
}

/** @param {Element | null} el */
function focusOn(el) {
  if (el instanceof HTMLElement) el.focus();
}

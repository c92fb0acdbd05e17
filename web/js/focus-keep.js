// Keeping a field's focus across a morph: a message that appears or goes beside a
// field may make the morph rebuild the field that had the focus.

/** @typedef {{id: string, caret: (number | null)[] | null}} Focused */

/**
 * The field inside `root` that has the focus (by id), with its caret, before a render.
 * @param {HTMLElement} root
 * @returns {Focused | null}
 */
export function focusedField(root) {
  const active = document.activeElement;
  if (!(active instanceof HTMLElement) || !active.id || !root.contains(active)) return null;
  const caret = active instanceof HTMLInputElement || active instanceof HTMLTextAreaElement
    ? [active.selectionStart, active.selectionEnd] : null;
  return { id: active.id, caret };
}

/**
 * After a render: if the focus left `root`, give it back to the same field (and caret).
 * @param {HTMLElement} root
 * @param {Focused | null} focused
 */
export function keepFocus(root, focused) {
  if (!focused || root.contains(document.activeElement)) return;
  const field = document.getElementById(focused.id);
  if (!(field instanceof HTMLElement) || !root.contains(field)) return;
  field.focus();
  if (focused.caret && (field instanceof HTMLInputElement || field instanceof HTMLTextAreaElement)) {
    try {
      field.setSelectionRange(focused.caret[0], focused.caret[1]);
    } catch {
      // a field kind without a caret (number, checkbox)
    }
  }
}

// Reordering the editor's steps by keyboard (Alt+ArrowUp/Down on a step) and by
// pointer (press a step's handle, move over another step, let go; mouse, pen and
// touch alike). The arrow buttons are handled with the editor's other actions.

/** @typedef {import("./method-editor.js").MethodEditorElement} Editor */

/**
 * Alt+ArrowUp/Down moves the step that has the focus.
 * @param {Editor} editor
 * @param {KeyboardEvent} event
 */
export function onKeydown(editor, event) {
  if (!event.altKey || (event.key !== "ArrowUp" && event.key !== "ArrowDown")) return;
  const card = event.target instanceof Element ? event.target.closest("[data-step-index]") : null;
  if (!(card instanceof HTMLElement) || !editor.draft) return;
  event.preventDefault();
  const from = Number(card.dataset.stepIndex);
  const to = from + (event.key === "ArrowUp" ? -1 : 1);
  if (!editor.moveStep(from, to)) return;
  editor.refocus = { uid: editor.uid(editor.draft.steps[to]), action: event.key === "ArrowUp" ? "step-up" : "step-down" };
  editor.dirty = true;
  editor.render();
  editor.scheduleCheck(0);
}

// Pointer reordering (mouse, pen and touch alike): press a step's handle, move over
// another step, let go.

/**
 * @param {Editor} editor
 * @param {PointerEvent} event
 */
export function onPointerDown(editor, event) {
  const handle = event.target instanceof Element ? event.target.closest("[data-drag]") : null;
  if (!(handle instanceof HTMLElement) || event.button !== 0) return;
  event.preventDefault();
  handle.setPointerCapture(event.pointerId);
  editor.dragFrom = Number(handle.dataset.drag);
  editor.dropAt = editor.dragFrom;
  editor.render();
}

/**
 * @param {Editor} editor
 * @param {PointerEvent} event
 */
export function onPointerMove(editor, event) {
  if (editor.dragFrom === null) return;
  const under = document.elementFromPoint(event.clientX, event.clientY);
  const card = under ? under.closest("[data-step-index]") : null;
  const at = card instanceof HTMLElement ? Number(card.dataset.stepIndex) : editor.dropAt;
  if (at !== editor.dropAt) {
    editor.dropAt = at;
    editor.render();
  }
}

/**
 * @param {Editor} editor
 * @param {PointerEvent} event
 */
export function onPointerUp(editor, event) {
  if (editor.dragFrom === null) return;
  onPointerMove(editor, event);
  const from = editor.dragFrom;
  const to = editor.dropAt;
  editor.dragFrom = null;
  editor.dropAt = null;
  if (to !== null && editor.moveStep(from, to)) {
    editor.dirty = true;
    editor.scheduleCheck(0);
  }
  editor.render();
}

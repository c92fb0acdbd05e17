// Dragging a sticky note with the pointer: the note follows the pointer (past a small
// threshold, so a click stays a click) and one move_item is sent when it is let go.
// While dragging, `current` is the note's position for the render.

/** @typedef {import("./model.js").ViewItem} ViewItem */
/** @typedef {import("./connection.js").OpInput} OpInput */
/** @typedef {import("./board-state.js").Drag} Drag */

const DRAG_THRESHOLD = 4;

export class NoteDrag {
  /** @param {HTMLElement} root the board element, to find the notes in */
  constructor(root) {
    this.root = root;
    /** @type {{id: string, x: number, y: number, startX: number, startY: number, originX: number, originY: number, moved: boolean, pointer: number} | null} */
    this.drag = null;
  }

  /** @returns {Drag | null} */
  get current() {
    return this.drag;
  }

  /**
   * Start on a movable note laid out on the canvas (not on its controls).
   * @param {PointerEvent} event
   * @param {() => Map<string, ViewItem>} items the items as shown
   */
  down(event, items) {
    if (!(event.target instanceof Element) || event.button !== 0) return;
    if (event.target.closest("button, select, textarea, input, label, form")) return;
    const note = event.target.closest("li[data-movable]");
    const item = note instanceof HTMLElement ? items().get(note.dataset.item ?? "") : undefined;
    if (!note || !item || getComputedStyle(note).position !== "absolute") return;
    this.drag = { id: item.id, x: item.x, y: item.y, startX: event.clientX, startY: event.clientY, originX: item.x, originY: item.y, moved: false, pointer: event.pointerId };
    note.setPointerCapture(event.pointerId);
  }

  /** @param {PointerEvent} event */
  move(event) {
    const drag = this.drag;
    if (!drag || drag.pointer !== event.pointerId) return;
    const dx = event.clientX - drag.startX;
    const dy = event.clientY - drag.startY;
    if (!drag.moved && Math.hypot(dx, dy) < DRAG_THRESHOLD) return;
    drag.moved = true;
    drag.x = Math.max(0, Math.round(drag.originX + dx));
    drag.y = Math.max(0, Math.round(drag.originY + dy));
    const el = this.note(drag.id);
    if (el instanceof HTMLElement) {
      el.style.left = `${drag.x}px`;
      el.style.top = `${drag.y}px`;
      el.classList.add("is-dragging");
    }
  }

  /**
   * Let go: the op that moves the note, if it moved. `false` if this pointer was not
   * dragging.
   * @param {PointerEvent} event
   * @returns {OpInput | null | false}
   */
  up(event) {
    const drag = this.drag;
    if (!drag || drag.pointer !== event.pointerId) return false;
    this.drag = null;
    this.note(drag.id)?.classList.remove("is-dragging");
    return drag.moved ? { type: "move_item", item_id: drag.id, x: drag.x, y: drag.y } : null;
  }

  cancel() {
    this.drag = null;
  }

  /** @param {string} id */
  note(id) {
    return this.root.querySelector(`li[data-item="${CSS.escape(id)}"]`);
  }
}

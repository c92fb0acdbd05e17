// Moving a sticky note with the pointer: dragging (the note follows the pointer past a
// small threshold, so a click stays a click), or, with a single pointer and no drag
// (WCAG 2.5.7, and on a phone), "Verplaats" and then a click or tap on the new place.
// One move_item is sent when the pointer is let go; a note never lands on another
// (freeSpot). While dragging, `current` is the note's position for the render.

import { freeSpot } from "./sections.js";

/** @typedef {import("./model.js").ViewItem} ViewItem */
/** @typedef {import("./connection.js").OpInput} OpInput */
/** @typedef {import("./board-state.js").Drag} Drag */

const DRAG_THRESHOLD = 4;

export class NoteDrag {
  /**
   * @param {HTMLElement} root the board element, to find the notes in
   * @param {import("./board-state.js").ViewState} view its view state (`moving`: a note to place)
   */
  constructor(root, view) {
    this.root = root;
    this.view = view;
    /** @type {{id: string, pointer: number} | null} a click on the canvas that places a note */
    this.place = null;
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
    if (this.view.moving && event.target.closest("[data-canvas]")) {
      this.place = { id: this.view.moving, pointer: event.pointerId };
      return;
    }
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
    const place = this.place;
    if (place && place.pointer === event.pointerId) {
      this.place = null;
      this.view.moving = null;
      const canvas = this.note(place.id)?.closest("[data-canvas]");
      if (!canvas) return null;
      const box = canvas.getBoundingClientRect();
      const at = { x: event.clientX - box.left - 16, y: event.clientY - box.top - 16 };
      return { type: "move_item", item_id: place.id, ...this.spot(place.id, at) };
    }
    const drag = this.drag;
    if (!drag || drag.pointer !== event.pointerId) return false;
    this.drag = null;
    this.note(drag.id)?.classList.remove("is-dragging");
    return drag.moved ? { type: "move_item", item_id: drag.id, ...this.spot(drag.id, drag) } : null;
  }

  /**
   * The free place nearest to `at` for note `id`, among the other notes on its canvas.
   * @param {string} id
   * @param {{x: number, y: number}} at
   */
  spot(id, at) {
    const el = this.note(id);
    const canvas = el?.closest("[data-canvas]");
    if (!(el instanceof HTMLElement) || !canvas) return { x: Math.round(at.x), y: Math.round(at.y) };
    const others = [...canvas.querySelectorAll("li[data-item]")].filter((o) => o !== el && o instanceof HTMLElement)
      .map((o) => { const n = /** @type {HTMLElement} */ (o); return { x: n.offsetLeft, y: n.offsetTop, w: n.offsetWidth, h: n.offsetHeight }; });
    return freeSpot(at, others, { w: el.offsetWidth, h: el.offsetHeight });
  }

  cancel() {
    this.drag = null;
    this.place = null;
  }

  /** @param {string} id */
  note(id) {
    return this.root.querySelector(`li[data-item="${CSS.escape(id)}"]`);
  }
}

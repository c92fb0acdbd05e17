// What happens to the viewer's attention when the board changes under them: the
// screen reader is told (board-announce.js), the focus goes to a new step's heading
// (unless they are typing in a field that stays), half-typed text is kept as a draft
// per field (drafts.js), a notice about the step before goes, and a device whose
// facilitator role was taken over is told. The element calls it around each event,
// render and tick; it owns no board state.

import { announce, before, eventNews, presenceNews } from "./board-announce.js";
import { Drafts } from "./drafts.js";
import { t } from "./i18n.js";

/** @typedef {import("./model.js").BoardModel} BoardModel */
/** @typedef {import("./board-state.js").ViewState} ViewState */
/** @typedef {import("./board-announce.js").Before} Before */
/** @typedef {import("./connection.js").Op} Op */
/** @typedef {import("../types/protocol").Item} Item */

export class Attention {
  /**
   * @param {HTMLElement} root the board element
   * @param {ViewState} view the element's view state (this writes editing, notice, roleTaken)
   */
  constructor(root, view) {
    this.root = root;
    this.view = view;
    /** @type {Drafts | null} */
    this.drafts = null;
    /** A step change came in: the focus goes to the new step's heading after the render. */
    this.stepArrived = false;
    /** The running timer had run out at the last tick (announced once). */
    this.timeUp = false;
  }

  /**
   * @param {string} sessionId
   * @param {string} token
   */
  start(sessionId, token) {
    this.drafts = new Drafts(sessionId, token);
  }

  /**
   * @param {BoardModel} model before the event
   * @returns {Before & {leading: boolean}}
   */
  before(model) {
    return { ...before(model), leading: model.role === "facilitator" };
  }

  /**
   * @param {BoardModel} model after the event
   * @param {Item[]} fresh the items new to this viewer
   * @param {Before & {leading: boolean}} was
   * @param {Op[]} pending own ops without an answer
   */
  after(model, fresh, was, pending) {
    const handingOver = pending.some((op) => op.type === "assign_role" && op.role === "facilitator");
    if (was.leading && model.role !== "facilitator" && !handingOver) {
      this.view.roleTaken = true;
      announce(t("announce.role_lost"));
    }
    if (model.board.step !== was.step) {
      this.view.editing = null;
      this.view.notice = null; // a notice was about the step before
      // whoever moved the step keeps their place; everyone else goes to its heading
      this.stepArrived = !pending.some((op) => op.type === "set_step");
    }
    for (const line of eventNews(model, fresh, was)) announce(line);
  }

  /**
   * @param {BoardModel} model with the new presence
   * @param {Set<string>} wasOnline
   */
  presence(model, wasOnline) {
    const line = presenceNews(model, wasOnline);
    if (line) announce(line);
  }

  /**
   * After a render: drafts back into their fields; after a step change the focus to
   * the new step's heading, unless the viewer is typing in a field that is still there.
   * @param {Element | null} active the focus before the render
   */
  rendered(active) {
    this.drafts?.restore(this.root);
    if (!this.stepArrived) return;
    this.stepArrived = false;
    const typing = (active instanceof HTMLTextAreaElement || active instanceof HTMLInputElement) && active.isConnected;
    const heading = this.root.querySelector("#step-title");
    if (!typing && heading instanceof HTMLElement) heading.focus();
  }

  /**
   * Keep what is typed in an add form until it is sent.
   * @param {EventTarget | null} field
   */
  typed(field) {
    const form = field instanceof HTMLTextAreaElement ? field.closest("form.add-form") : null;
    if (form && field instanceof HTMLTextAreaElement) this.drafts?.set(form.getAttribute("data-key") ?? "", field.value);
  }

  /**
   * The add form's text went out: its draft goes.
   * @param {EventTarget | null} form
   */
  sent(form) {
    if (form instanceof HTMLFormElement) this.drafts?.set(form.getAttribute("data-key") ?? "", "");
  }

  /**
   * After a tick of the timer: tell once when the time is up.
   * @param {boolean} over whether the running timer has run out
   */
  timer(over) {
    if (over && !this.timeUp) announce(t("announce.time_up"));
    this.timeUp = over;
  }
}

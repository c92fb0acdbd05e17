// <iv-board>: the board page at /s/{id}#k={token}. Asks for a name, connects, and wires
// the parts: connection -> model -> render (boardView, pure), DOM events -> action table
// (board-actions.js), keys (board-keys.js), note dragging (board-drag.js) -> connection;
// board-attention.js looks after the viewer (announcements, focus, drafts). The server
// is the authority; own ops show at once, marked until answered.

import { ACTIONS, followToggle } from "./board-actions.js";
import { carryOut } from "./board-effects.js";
import { announce } from "./board-announce.js";
import { Attention } from "./board-attention.js";
import { NoteDrag } from "./board-drag.js";
import { isFollowKey, keyOutcome } from "./board-keys.js";
import { errorNotice, rejectionNotice } from "./board-notices.js";
import { initialView } from "./board-state.js";
import { tickTimers } from "./board-timer.js";
import { QuestionReader } from "./board-questions.js";
import { boardView } from "./board-view.js";
import { BoardConnection } from "./connection.js";
import { meetingMember } from "./group-api.js";
import { h, morphChildren, tagOf } from "./dom.js";
import { doorAgreement, passDoor } from "./attendance.js";
import { spotlightTarget, spotlightWatch } from "./facilitation.js";
import { bringDraft, loadDraft, onDraftInput } from "./prepare.js";
import { explain, t } from "./i18n.js";
import { BoardModel } from "./model.js";
import { CLOSE } from "./protocol.js";
import { ItemSecrets } from "./secrets.js";

/** @typedef {import("./connection.js").OpInput} OpInput */
/** @typedef {import("./board-actions.js").ActionContext} ActionContext */
/** @typedef {import("./board-actions.js").ActionInput} ActionInput */
/** @typedef {import("./board-actions.js").Effect} Effect */
/** @typedef {import("./board-actions.js").Outcome} Outcome */
/** @typedef {import("./board-state.js").Notice} Notice */

const TICK_MS = 1000;
const NOTICE_MS = 8000;
const ERROR_NOTICE_MS = 15000; // an error is about one attempt, not the board: it goes too

export class BoardElement extends HTMLElement {
  constructor() {
    super();
    this.sessionId = "";
    this.token = "";
    /** @type {BoardConnection | null} */
    this.connection = null;
    /** @type {ItemSecrets | null} */
    this.secrets = null;
    /** @type {BoardModel | null} */
    this.model = null;
    this.view = initialView();
    this.attention = new Attention(this, this.view);
    this.dragger = new NoteDrag(this, this.view);
    this.renderQueued = false;
    /** @type {number | undefined} */
    this.noticeTimer = undefined;
    /** @type {number | undefined} */
    this.ticker = undefined;
    this.questions = new QuestionReader(this.view.hints,
      (request, text) => this.connection?.classify(request, text), () => this.scheduleRender());
    /** Bring the spotlight into view after the next render (for a follower). */
    this.scrollToSpotlight = false;
  }

  connectedCallback() {
    this.sessionId = this.getAttribute("session-id") ?? "";
    const member = meetingMember(location.hash);  // a group meeting (#g=): the member's own key
    this.token = member?.key ?? new URLSearchParams(location.hash.slice(1)).get("k") ?? "";
    this.addEventListener("click", (e) => this.onClick(e));
    this.addEventListener("submit", (e) => this.onSubmit(e));
    this.addEventListener("change", (e) => this.onChange(e));
    this.addEventListener("keydown", (e) => this.perform(keyOutcome(e, this.context(), this), e.target));
    this.addEventListener("input", (e) => this.onInput(e));
    window.addEventListener("keydown", (e) => this.onFollowKey(e));
    this.addEventListener("pointerdown", (e) => this.dragger.down(e, () => this.items()));
    this.addEventListener("pointermove", (e) => this.dragger.move(e));
    this.addEventListener("pointerup", (e) => this.onPointerUp(e));
    this.addEventListener("pointercancel", () => { this.dragger.cancel(); this.scheduleRender(); });
    window.addEventListener("iv-langchange", () => this.render());
    this.ticker = window.setInterval(() => this.tick(), TICK_MS);
    const name = member?.name || localStorage.getItem(this.nameKey);
    if (this.token && name) this.start(name);
    else if (this.token) this.loadAgreement();
    this.render();
  }

  disconnectedCallback() {
    window.clearInterval(this.ticker);
  }

  get nameKey() {
    return `iv.name.${this.sessionId}.${tagOf(this.token)}`;
  }

  // -- connection -> model ------------------------------------------------------------

  /** @param {string} name */
  start(name) {
    const secrets = new ItemSecrets(this.sessionId, this.token);
    this.secrets = secrets;
    this.attention.start(this.sessionId, this.token);
    this.connection = new BoardConnection(this.sessionId, this.token, name, {
      welcome: (welcome) => {
        if (this.model) this.model.rewelcome(welcome);
        else {
          this.model = new BoardModel(welcome);
          this.model.hasSecret = (id) => secrets.get(id) !== undefined;
          this.dispatchEvent(new CustomEvent("iv-welcome", { bubbles: true, detail: welcome.board?.language }));
        }
        // a late joiner (and a reload) lands on the current spotlight
        if (this.model.board.spotlight && this.model.follows(this.model.me)) this.scrollToSpotlight = true;
        this.scheduleRender();
      },
      event: (event) => {
        const model = this.model;
        if (!model) return;
        const was = this.attention.before(model);
        const spotlight = spotlightWatch(model);
        const fresh = model.apply(event);
        this.attention.after(model, fresh, was, this.connection?.pending ?? []);
        if (spotlight.moved(announce)) this.scrollToSpotlight = true;
        this.scheduleRender();
      },
      answer: (answer, op) => {
        if (answer.type === "rejected") {
          this.showNotice(rejectionNotice(answer.code, op));
        } else if (this.model) {
          this.model.keepOwn(op, answer.seq);
          if (op?.type === "delete_item") secrets.forget(op.item_id);
          // a named item needs no secret: its author is known
          if (op?.type === "add_item" && this.model.items.get(op.item_id)?.author) secrets.forget(op.item_id);
          if (op?.type === "set_ready") this.model.board.you_ready = op.ready;
        }
        this.scheduleRender();
      },
      error: (error, op) => {
        const notice = errorNotice(error, op);
        if (!notice) return;
        this.showNotice(notice);
        this.scheduleRender();
      },
      presence: (presence) => {
        if (this.model) this.attention.presence(this.model, this.model.setOnline(presence.online));
        this.scheduleRender();
      },
      status: (status, code) => {
        this.view.status = status;
        this.view.endedCode = code;
        if (code === `close_${CLOSE.AGREEMENT}`) {
          // not past the door: back to the join form and its agreement
          this.connection = null;
          localStorage.removeItem(this.nameKey);
          this.view.joinError = explain("agreement_required");
          this.loadAgreement();
        }
        this.scheduleRender();
      },
      classified: (answer) => this.questions.answered(answer),
    });
    this.connection.connect();
  }

  /**
   * Show a notice; an "info" one goes away by itself.
   * @param {Notice} notice
   */
  showNotice(notice) {
    this.view.notice = notice;
    window.clearTimeout(this.noticeTimer);
    const clear = () => { if (this.view.notice === notice) { this.view.notice = null; this.scheduleRender(); } };
    this.noticeTimer = window.setTimeout(clear, notice.kind === "info" ? NOTICE_MS : ERROR_NOTICE_MS);
    this.scheduleRender();
  }

  /**
   * Send an op (optimistic where it changes items); null when too many wait.
   * @param {OpInput} input
   */
  send(input) {
    if (!this.connection) return null;
    if (input.type === "add_item") input.secret = this.secrets?.create(input.item_id);
    else if (input.type === "edit_item" || input.type === "delete_item") {
      const secret = this.secrets?.get(input.item_id);
      if (secret) input.secret = secret;
    }
    const op = this.connection.send(input);
    if (!op) this.showNotice({ kind: "error", text: t("notice.too_many_pending") });
    this.scheduleRender();
    return op;
  }

  /** The items as shown: the model's with the own unanswered ops laid over. */
  items() {
    return this.model ? this.model.view(this.connection?.pending ?? []) : new Map();
  }

  /**
   * The board as shown, for the action table and the keys (the items are laid out
   * only when an action asks for them).
   * @returns {ActionContext}
   */
  context() {
    const board = this;
    return { model: this.model, view: this.view, get items() { return board.items(); } };
  }

  // -- model -> render ----------------------------------------------------------------

  scheduleRender() {
    if (this.renderQueued) return;
    this.renderQueued = true;
    queueMicrotask(() => {
      this.renderQueued = false;
      this.render();
    });
  }

  render() {
    const active = document.activeElement;
    const view = this.view;
    view.stage = !this.token ? "no-token" : !this.connection ? "join" : "connected";
    view.lastName = localStorage.getItem("iv.lastname") ?? "";
    view.invite = localStorage.getItem(`iv.invite.${this.sessionId}`);
    view.pendingCount = this.connection?.pending.length ?? 0;
    view.drag = this.dragger.current;
    view.prepDraft = view.prepOpen ? loadDraft(this.sessionId) : null;
    const home = active instanceof Element && this.contains(active)
      ? active.closest("section[data-key][aria-labelledby]")?.getAttribute("data-key") ?? null : null;
    morphChildren(this, h("div", {}, boardView(this.model, this.items(), view)));
    this.keepFocusNear(active, home);
    this.attention.rendered(active);
    const auto = this.querySelector("[data-autofocus]");
    if (auto instanceof HTMLTextAreaElement && active !== auto && !auto.dataset.focused) {
      auto.dataset.focused = "true";
      auto.focus();
      auto.setSelectionRange(auto.value.length, auto.value.length);
    }
    document.title = this.model ? `${this.model.board.title} · ${t("app.name")}` : t("app.name");
    if (this.scrollToSpotlight && this.model) {
      this.scrollToSpotlight = false;
      spotlightTarget(this, this.model)?.scrollIntoView({ block: "center", behavior: "instant" });
    }
  }

  /**
   * The control that had the focus went away with the render (a round's start form
   * once the round runs, its stop button once it ended): the focus goes to the heading
   * of the part it was in, where it can be read on from, rather than to the page.
   * @param {Element | null} active
   * @param {string | null} home the data-key of the section it was in
   */
  keepFocusNear(active, home) {
    if (!home || !active || active.isConnected) return;
    if (document.activeElement && document.activeElement !== document.body) return;
    const section = this.querySelector(`[data-key="${CSS.escape(home)}"]`);
    const heading = section ? document.getElementById(section.getAttribute("aria-labelledby") ?? "") : null;
    if (heading instanceof HTMLElement && heading.getAttribute("tabindex") === "-1") heading.focus();
  }

  /** Count the timers down between renders. */
  tick() {
    if (this.model) this.attention.timer(tickTimers(this, this.model));
  }

  // -- DOM events -> action table -> connection -----------------------------------------

  /** @param {MouseEvent} event */
  onClick(event) {
    const button = /** @type {HTMLElement | null} */ (event.target instanceof Element ? event.target.closest("button[data-action]") : null);
    if (!button || button.hasAttribute("disabled")) return;
    this.act("click", button, { pressed: button.getAttribute("aria-pressed") === "true" });
  }

  /** @param {SubmitEvent} event */
  onSubmit(event) {
    const form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    event.preventDefault();
    /** @type {Record<string, string>} */
    const fields = {};
    for (const [name, value] of new FormData(form)) if (typeof value === "string") fields[name] = value;
    this.act("submit", form, { fields, prefix: form.querySelector("textarea")?.dataset.prefix ?? "" });
  }

  /** @param {Event} event */
  onChange(event) {
    const select = event.target;
    if (select instanceof HTMLSelectElement) this.act("change", select, { value: select.value });
  }

  /**
   * Look the control's data-action up in the action table and do what it says.
   * @param {"click" | "submit" | "change"} on
   * @param {HTMLElement} control
   * @param {Partial<ActionInput>} read
   */
  act(on, control, read) {
    const name = control.dataset.action ?? "";
    const action = Object.hasOwn(ACTIONS, name) ? ACTIONS[name] : undefined;
    if (!action || action.on !== on) return;
    /** @type {ActionInput} */
    const input = { data: { ...control.dataset }, pressed: false, fields: {}, prefix: "", value: "", ...read };
    this.perform(action.build(input, this.context()), control);
  }

  /** @param {PointerEvent} event */
  onPointerUp(event) {
    const op = this.dragger.up(event);
    if (op === false) return;
    if (op) this.send(op);
    this.scheduleRender();
  }

  /**
   * Carry out an outcome: change the view state, send the ops, render, then the effects.
   * @param {Outcome | null} outcome
   * @param {EventTarget | null} source the control that was used
   */
  perform(outcome, source) {
    if (!outcome) return;
    Object.assign(this.view, outcome.view ?? {});
    let sent = true;
    for (const op of outcome.send ?? []) if (!this.send(op)) sent = false;
    this.scheduleRender();
    for (const effect of outcome.effects ?? []) this.effect(effect, source, sent);
  }

  /**
   * @param {Effect} effect
   * @param {EventTarget | null} source
   * @param {boolean} sent whether every op of the outcome went out
   */
  effect(effect, source, sent) {
    carryOut(this, effect, source, sent);
  }

  /**
   * F toggles following, wherever the focus is, unless the member is typing.
   * @param {KeyboardEvent} event
   */
  onFollowKey(event) {
    if (!isFollowKey(event) || !this.model?.board.spotlight) return;
    event.preventDefault();
    this.perform(followToggle(this.model), null);
  }

  /**
   * Typing: the preparation draft is kept in this browser only; a question in a step
   * that asks for open ones is read by the server after a pause.
   * @param {Event} event
   */
  onInput(event) {
    const field = event.target;
    if (field instanceof HTMLElement && onDraftInput(this.sessionId, field)) return;
    if (field instanceof HTMLTextAreaElement) this.questions.typed(field);
    this.attention.typed(field);
  }

  /** Bring the prepared case into the case-choice step: one add_item. */
  bringCase() {
    const brought = this.model ? bringDraft(this.sessionId, (op) => this.send(op)) : false;
    if (brought) this.showNotice({ kind: "info", text: t("prep.brought") });
  }

  /** The session's agreement at the door, for the join form. */
  async loadAgreement() {
    this.view.agreement = await doorAgreement(this.sessionId, this.token);
    this.scheduleRender();
  }

  /**
   * Enter: accept the agreement at the door first when the session has one (the form
   * only submits with its box ticked), then connect.
   * @param {string} name
   */
  join(name) {
    passDoor(this.sessionId, this.token, this.view.agreement).then(() => {
      localStorage.setItem(this.nameKey, name);
      localStorage.setItem("iv.lastname", name);
      this.view.joinError = null;
      this.start(name);
      this.scheduleRender();
    }, () => {
      this.view.joinError = explain("network");
      this.scheduleRender();
    });
  }
}

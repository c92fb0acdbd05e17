// <iv-board>: the board page at /s/{id}#k={token}. Asks for a display name, connects,
// renders the current step for the viewer's role and turns clicks, keys and drags into
// ops. The server is the authority; own ops show at once, marked until answered.

import { BoardConnection } from "./connection.js";
import { identity as groupMember } from "./group-api.js";
import { h, morphChildren, randomId, tagOf } from "./dom.js";
import { explain, lang, loc, t } from "./i18n.js";
import { BoardModel } from "./model.js";
import { notePosition, renderSection, shorten } from "./sections.js";
import { brandHeader, copyField, copyText } from "./shell.js";
import { download, exportPanel, exportToggle } from "./export-panel.js";

/** @typedef {import("./connection.js").Op} Op */
/** @typedef {import("./connection.js").OpInput} OpInput */
/** @typedef {import("./connection.js").Status} Status */
/** @typedef {import("./model.js").Role} Role */
/** @typedef {import("../types/protocol").Item} Item */

const TICK_MS = 1000;
const MOVE_STEP = 16;
const MOVE_STEP_BIG = 64;
const DRAG_THRESHOLD = 4;
const ADD_SECONDS = 300;
const NOTICE_MS = 8000;

export class BoardElement extends HTMLElement {
  constructor() {
    super();
    this.sessionId = "";
    this.token = "";
    /** @type {BoardConnection | null} */
    this.connection = null;
    /** @type {BoardModel | null} */
    this.model = null;
    /** @type {Status} */
    this.status = "connecting";
    /** @type {string | undefined} */
    this.endedCode = undefined;
    /** @type {string | null} */
    this.editing = null;
    /** @type {{id: string, x: number, y: number, startX: number, startY: number, originX: number, originY: number, moved: boolean, pointer: number} | null} */
    this.drag = null;
    /** @type {{kind: "error" | "info", text: string} | null} */
    this.notice = null;
    /** @type {string | null} */
    this.confirm = null;
    this.renderQueued = false;
    /** @type {number | undefined} */
    this.noticeTimer = undefined;
    /** @type {number | undefined} */
    this.ticker = undefined;
  }

  connectedCallback() {
    this.sessionId = this.getAttribute("session-id") ?? "";
    // a group meeting (#g=<group>): the member enters with their group identity
    const member = groupMember(new URLSearchParams(location.hash.slice(1)).get("g") ?? "");
    this.token = member?.key ?? new URLSearchParams(location.hash.slice(1)).get("k") ?? "";
    if (member?.name) localStorage.setItem(this.nameKey, member.name);
    this.addEventListener("click", (e) => this.onClick(e));
    this.addEventListener("submit", (e) => this.onSubmit(e));
    this.addEventListener("change", (e) => this.onChange(e));
    this.addEventListener("keydown", (e) => this.onKey(e));
    this.addEventListener("pointerdown", (e) => this.onPointerDown(e));
    this.addEventListener("pointermove", (e) => this.onPointerMove(e));
    this.addEventListener("pointerup", (e) => this.onPointerUp(e));
    this.addEventListener("pointercancel", () => { this.drag = null; this.scheduleRender(); });
    window.addEventListener("iv-langchange", () => this.render());
    this.ticker = window.setInterval(() => this.tick(), TICK_MS);
    const name = localStorage.getItem(this.nameKey);
    if (this.token && name) this.start(name);
    this.render();
  }

  disconnectedCallback() {
    window.clearInterval(this.ticker);
  }

  get nameKey() {
    return `iv.name.${this.sessionId}.${tagOf(this.token)}`;
  }

  /** @param {string} name */
  start(name) {
    this.connection = new BoardConnection(this.sessionId, this.token, name, {
      welcome: (welcome) => {
        if (this.model) this.model.rewelcome(welcome);
        else {
          this.model = new BoardModel(welcome);
          this.dispatchEvent(new CustomEvent("iv-welcome", { bubbles: true, detail: welcome.board?.language }));
        }
        this.scheduleRender();
      },
      event: (event) => this.onEvent(event),
      answer: (answer, op) => {
        if (answer.type === "rejected") {
          this.showNotice("error", t("notice.rejected", { what: this.describe(op), why: explain(answer.code) }));
        } else if (this.model) {
          this.model.keepOwn(op, answer.seq);
          if (op?.type === "set_ready") this.model.board.you_ready = op.ready;
        }
        this.scheduleRender();
      },
      error: (error, op) => {
        if (error.code === "hello_required") return;
        if (error.code === "rate_limited" || error.code === "unavailable") {
          this.showNotice("info", explain(error.code));
        } else {
          this.showNotice("error", op ? t("notice.rejected", { what: this.describe(op), why: explain(error.code) }) : explain(error.code));
        }
        this.scheduleRender();
      },
      presence: (presence) => {
        if (this.model) this.model.online = new Set(presence.online);
        this.scheduleRender();
      },
      status: (status, code) => {
        this.status = status;
        this.endedCode = code;
        this.scheduleRender();
      },
    });
    this.connection.connect();
  }

  /** @param {import("../types/protocol").Event} event */
  onEvent(event) {
    const model = this.model;
    if (!model) return;
    const before = model.board.step;
    const fresh = model.apply(event);
    for (const item of fresh) {
      if (item.author === model.me) continue;
      const def = model.sectionDef(item.section);
      const who = item.author ? model.nameOf(item.author) : t("item.someone");
      this.announce(t("announce.new_item", { who, section: loc(def?.title), text: shorten(item.text) }));
    }
    if (model.board.step !== before) {
      this.editing = null;
      this.announce(t("announce.step", { n: model.board.step + 1, title: loc(model.step.title) }));
    }
    this.scheduleRender();
  }

  /** @param {string} text */
  announce(text) {
    const region = document.getElementById("announcer");
    if (!region) return;
    const line = document.createElement("p");
    line.textContent = text;
    region.append(line);
    while (region.childElementCount > 5) region.firstElementChild?.remove();
  }

  /**
   * @param {"error" | "info"} kind
   * @param {string} text
   */
  showNotice(kind, text) {
    this.notice = { kind, text };
    window.clearTimeout(this.noticeTimer);
    if (kind === "info") this.noticeTimer = window.setTimeout(() => { this.notice = null; this.scheduleRender(); }, NOTICE_MS);
    this.scheduleRender();
  }

  /**
   * Words for an op, for a rejection notice.
   * @param {Op | undefined} op
   */
  describe(op) {
    return op ? t(`op.${op.type}`) : t("op.unknown");
  }

  /**
   * Send an op (optimistic where it changes items).
   * @param {OpInput} input
   */
  send(input) {
    if (!this.connection) return null;
    const op = this.connection.send(input);
    if (!op) this.showNotice("error", t("notice.too_many_pending"));
    this.scheduleRender();
    return op;
  }

  scheduleRender() {
    if (this.renderQueued) return;
    this.renderQueued = true;
    queueMicrotask(() => {
      this.renderQueued = false;
      this.render();
    });
  }

  tick() {
    const timer = this.querySelector("[data-timer]");
    if (!timer || !this.model) return;
    const text = timerText(this.model.board.timer);
    timer.textContent = text;
    timer.parentElement?.classList.toggle("is-over", this.model.board.timer.running && text === t("timer.over"));
  }

  // -- rendering ------------------------------------------------------------------------

  render() {
    const active = document.activeElement;
    const fresh = h("div", {}, this.view());
    morphChildren(this, fresh);
    const auto = this.querySelector("[data-autofocus]");
    if (auto instanceof HTMLTextAreaElement && active !== auto && !auto.dataset.focused) {
      auto.dataset.focused = "true";
      auto.focus();
      auto.setSelectionRange(auto.value.length, auto.value.length);
    }
    document.title = this.model ? `${this.model.board.title} · ${t("app.name")}` : t("app.name");
  }

  view() {
    if (!this.token) return [brandHeader(), h("main", { id: "main", class: "page narrow" }, h("h1", {}, t("join.missing_title")), h("p", {}, t("join.missing_token")))];
    if (!this.connection) return [brandHeader(), this.joinForm()];
    const model = this.model;
    if (!model) {
      return [brandHeader(), h("main", { id: "main", class: "page narrow" },
        this.banner(), h("p", { class: "loading" }, t("board.connecting")))];
    }
    const closed = model.board.closed;
    return [
      brandHeader(h("span", { class: "session-title" }, model.board.title), this.statusChip()),
      this.banner(),
      h("main", { id: "main", class: `board${closed ? " is-closed" : ""}` },
        h("h1", { class: "sr-only" }, model.board.title),
        this.progress(),
        closed ? this.closedIntro() : this.stepHead(),
        this.noticeBox(),
        h("div", { class: "board-layout" },
          h("div", { class: "sections" }, closed ? null : this.lookback(), this.sectionsView()),
          this.sidebar())),
    ];
  }

  joinForm() {
    return h("main", { id: "main", class: "page narrow" },
      h("div", { class: "card join-card" },
        h("h1", {}, t("join.title")),
        h("p", { class: "lead" }, t("join.lead")),
        h("form", { class: "stack", "data-action": "join", "data-key": "join" },
          h("label", { for: "join-name" }, t("join.name")),
          h("input", { id: "join-name", name: "name", required: true, maxlength: "60", autocomplete: "nickname", value: localStorage.getItem("iv.lastname") ?? "" }),
          h("p", { class: "hint", id: "join-name-hint" }, t("join.name_hint")),
          h("button", { type: "submit", class: "btn btn-primary" }, t("join.submit")))));
  }

  statusChip() {
    const key = this.status === "open" ? "status.online" : this.status === "ended" ? "status.ended" : "status.offline";
    return h("span", { class: `status-chip status-${this.status}` }, t(key));
  }

  banner() {
    if (this.status === "offline") {
      return h("div", { class: "banner banner-warn", role: "status", "data-banner": "offline" },
        h("strong", {}, t("banner.offline_title")), " ", t("banner.offline_body", { n: this.connection?.pending.length ?? 0 }));
    }
    if (this.status === "ended") {
      return h("div", { class: "banner banner-error", role: "alert", "data-banner": "ended" },
        h("strong", {}, t("banner.ended_title")), " ", explain(this.endedCode ?? "unknown"));
    }
    return h("div", { class: "banner-slot", role: "status", "data-banner": "none" });
  }

  noticeBox() {
    const notice = this.notice;
    return h("div", { class: "notice-slot", role: "alert" },
      notice ? h("div", { class: `notice notice-${notice.kind}`, "data-notice": notice.kind },
        h("p", {}, notice.text),
        h("button", { type: "button", class: "btn btn-small btn-quiet", "data-action": "dismiss" }, t("notice.dismiss"))) : null);
  }

  progress() {
    const model = /** @type {BoardModel} */ (this.model);
    const steps = model.method.steps;
    const current = model.board.step;
    const fac = model.isFacilitator;
    return h("nav", { class: "progress", "aria-label": t("board.steps") },
      h("p", { class: "progress-count" }, t("board.step_of", { n: current + 1, total: steps.length })),
      h("ol", { class: "steps" }, steps.map((step, index) => {
        const state = index < current ? "done" : index === current ? "current" : "todo";
        const label = h("span", { class: "step-label" }, h("span", { class: "step-num", "aria-hidden": "true" }, index + 1), h("span", { class: "step-name" }, loc(step.title)));
        return h("li", { class: `step step-${state}${step.frame ? " step-frame" : ""}`, "data-key": `step-${index}`, "aria-current": index === current ? "step" : null, title: loc(step.title) },
          fac && index !== current
            ? h("button", { type: "button", class: "step-jump", "data-action": "step", "data-step": String(index), "aria-label": t("control.goto_step", { n: index + 1, title: loc(step.title) }) }, label)
            : label);
      })));
  }

  /** A group meeting's look-back step shows what the previous meeting left. */
  lookback() {
    const hash = new URLSearchParams(location.hash.slice(1));
    if (this.model?.step.id !== "lookback" || !hash.get("g")) return null;
    return h("iv-lookback", { "data-key": "lookback", "data-keep": "", "group-id": hash.get("g"), "meeting-id": hash.get("meeting") });
  }

  stepHead() {
    const model = /** @type {BoardModel} */ (this.model);
    const step = model.step;
    const fac = model.isFacilitator;
    const timer = model.board.timer;
    const canReady = model.role !== "observer";
    const total = model.readyMembers;
    return h("section", { class: "step-head", "aria-labelledby": "step-title" },
      h("div", { class: "step-text" },
        h("p", { class: "eyebrow" }, t("board.step_n", { n: model.board.step + 1 }), step.frame ? ` · ${t("board.frame_step")}` : ""),
        h("h2", { id: "step-title" }, loc(step.title)),
        h("p", { class: "instruction" }, loc(step.instruction)),
        h("p", { class: "role-line" }, t("board.you_are", { role: t(`role.${model.role}`) }), this.myRights())),
      h("div", { class: "step-side" },
        h("div", { class: `timer${timer.running ? " is-running" : ""}${timer.running && timerText(timer) === t("timer.over") ? " is-over" : ""}` },
          h("span", { class: "timer-label" }, t("timer.label")),
          h("span", { class: "timer-value", role: "timer", "aria-label": t("timer.label"), "data-timer": "" }, timerText(timer)),
          fac ? h("div", { class: "timer-controls", role: "group", "aria-label": t("timer.controls") },
            h("button", { type: "button", class: "btn btn-small", "data-action": "timer", "data-timer-action": timer.running ? "pause" : "start" }, t(timer.running ? "timer.pause" : "timer.start")),
            h("button", { type: "button", class: "btn btn-small btn-quiet", "data-action": "timer", "data-timer-action": "add" }, t("timer.add")),
            h("button", { type: "button", class: "btn btn-small btn-quiet", "data-action": "timer", "data-timer-action": "reset" }, t("timer.reset"))) : null),
        h("div", { class: "ready" },
          canReady ? h("button", { type: "button", class: `btn ${model.board.you_ready ? "btn-done" : ""}`, "data-action": "ready", "aria-pressed": String(Boolean(model.board.you_ready)) },
            t(model.board.you_ready ? "ready.done" : "ready.button")) : null,
          h("span", { class: "ready-count" }, t("ready.count", { n: model.board.ready_count ?? 0, total }))),
        fac ? h("div", { class: "step-controls" },
          h("button", { type: "button", class: "btn", "data-action": "step", "data-step": String(model.board.step - 1), disabled: model.board.step === 0 }, t("control.prev")),
          h("button", { type: "button", class: "btn btn-primary", "data-action": "step", "data-step": String(model.board.step + 1), disabled: model.board.step >= model.method.steps.length - 1 }, t("control.next"))) : null));
  }

  /** What the viewer can do in this step, in words (with the rating keys). */
  myRights() {
    const model = /** @type {BoardModel} */ (this.model);
    /** @type {import("./model.js").Right[]} */
    const rights = ["add", "rate", "vote", "circle", "choose"];
    const sections = (model.step.sections ?? []).map((s) => s.section);
    const mine = rights.filter((right) => sections.some((section) => model.may(right, section)));
    if (!mine.length) return ` · ${t("rights.none")}`;
    return ` · ${t("rights.you_can", { rights: mine.map((r) => t(`rights.${r}`)).join(", ") })}`;
  }

  closedIntro() {
    const model = /** @type {BoardModel} */ (this.model);
    return h("section", { class: "step-head closed-head", "aria-labelledby": "closed-title" },
      h("div", { class: "step-text" },
        h("h2", { id: "closed-title" }, t("closed.title")),
        h("p", { class: "instruction" }, t("closed.body"))),
      exportPanel(model));
  }

  sectionsView() {
    const model = /** @type {BoardModel} */ (this.model);
    const items = model.view(this.connection?.pending ?? []);
    const ctx = { model, items, editing: this.editing, drag: this.drag, readOnly: model.board.closed };
    if (model.board.closed) {
      const used = new Set([...items.values()].map((i) => i.section));
      const first = (/** @type {string} */ id) => {
        const index = model.method.steps.findIndex((step) => (step.sections ?? []).some((s) => s.section === id));
        return index < 0 ? Infinity : index;
      };
      return model.method.sections.filter((s) => used.has(s.id))
        .sort((a, b) => first(a.id) - first(b.id))
        .map((def) => renderSection(def, ctx));
    }
    const defs = (model.step.sections ?? []).map((s) => model.sectionDef(s.section)).filter((d) => d !== undefined);
    const hint = h("p", { class: "hint", id: "notes-keys", hidden: true }, t("notes.keys"));
    return [...defs.map((def) => renderSection(def, ctx)), hint];
  }

  sidebar() {
    const model = /** @type {BoardModel} */ (this.model);
    const fac = model.isFacilitator;
    const people = [...model.participants.values()].filter((p) => !p.removed)
      .sort((a, b) => roleOrder(a.role) - roleOrder(b.role) || a.name.localeCompare(b.name));
    const invite = localStorage.getItem(`iv.invite.${this.sessionId}`);
    return h("aside", { class: "sidebar", "aria-label": t("sidebar.label") },
      h("section", { class: "panel", "aria-labelledby": "people-title" },
        h("h2", { id: "people-title" }, t("people.title"), " ", h("span", { class: "count" }, t("people.online", { n: model.online.size }))),
        h("ul", { class: "people" }, people.map((p) => {
          const online = model.online.has(p.id);
          const me = p.id === model.me;
          return h("li", { class: `person${online ? " is-online" : ""}`, "data-key": `p-${p.id}`, "data-person": p.id },
            h("span", { class: "dot", "aria-hidden": "true" }),
            h("span", { class: "person-name" }, p.name, me ? ` ${t("people.you")}` : ""),
            h("span", { class: `role-tag role-${p.role}` }, t(`role.${p.role}`)),
            h("span", { class: "sr-only" }, t(online ? "people.is_online" : "people.is_offline")),
            fac && !me ? this.personControls(p) : null);
        }))),
      fac ? h("section", { class: "panel", "aria-labelledby": "lead-title" },
        h("h2", { id: "lead-title" }, t("lead.title")),
        invite ? copyField("invite-link", t("start.invite_link"), invite) : null,
        h("button", { type: "button", class: "btn btn-block", "data-action": "anonymous", "aria-pressed": String(model.board.anonymous) },
          t(model.board.anonymous ? "lead.anonymous_on" : "lead.anonymous_off")),
        h("p", { class: "hint" }, t("lead.anonymous_hint")),
        ...exportToggle(model),
        this.confirm === "close"
          ? h("div", { class: "confirm", role: "group", "aria-label": t("lead.close_confirm") },
            h("p", {}, t("lead.close_confirm")),
            h("button", { type: "button", class: "btn btn-danger", "data-action": "close-confirm" }, t("lead.close_yes")),
            h("button", { type: "button", class: "btn btn-quiet", "data-action": "close-cancel" }, t("lead.close_no")))
          : h("button", { type: "button", class: "btn btn-block btn-danger-outline", "data-action": "close-ask" }, t("lead.close"))) : null,
      !fac && model.board.anonymous ? h("p", { class: "panel hint" }, t("lead.anonymous_on_info")) : null);
  }

  /** @param {import("../types/protocol").Participant} p */
  personControls(p) {
    const isPresenter = p.role === "presenter";
    if (this.confirm === `remove-${p.id}`) {
      return h("div", { class: "person-actions" },
        h("button", { type: "button", class: "btn btn-small btn-danger", "data-action": "remove", "data-pid": p.id }, t("people.remove_yes", { name: p.name })),
        h("button", { type: "button", class: "btn btn-small btn-quiet", "data-action": "confirm-cancel" }, t("lead.close_no")));
    }
    if (this.confirm === `handover-${p.id}`) {
      return h("div", { class: "person-actions" },
        h("button", { type: "button", class: "btn btn-small btn-danger", "data-action": "role", "data-pid": p.id, "data-role": "facilitator" }, t("people.handover_yes", { name: p.name })),
        h("button", { type: "button", class: "btn btn-small btn-quiet", "data-action": "confirm-cancel" }, t("lead.close_no")));
    }
    return h("div", { class: "person-actions" },
      h("button", { type: "button", class: "btn btn-small", "data-action": "role", "data-pid": p.id, "data-role": isPresenter ? "participant" : "presenter", "aria-label": t(isPresenter ? "people.unmake_presenter_named" : "people.make_presenter_named", { name: p.name }) },
        t(isPresenter ? "people.unmake_presenter" : "people.make_presenter")),
      h("details", { class: "more", "data-key": `more-${p.id}` },
        h("summary", { class: "btn btn-small btn-quiet", "aria-label": t("people.more_named", { name: p.name }) }, t("people.more")),
        h("div", { class: "more-menu" },
          p.role !== "observer"
            ? h("button", { type: "button", class: "btn btn-small btn-quiet", "data-action": "role", "data-pid": p.id, "data-role": "observer", "aria-label": t("people.make_observer_named", { name: p.name }) }, t("people.make_observer"))
            : h("button", { type: "button", class: "btn btn-small btn-quiet", "data-action": "role", "data-pid": p.id, "data-role": "participant", "aria-label": t("people.make_participant_named", { name: p.name }) }, t("people.make_participant")),
          h("button", { type: "button", class: "btn btn-small btn-quiet", "data-action": "ask", "data-confirm": `handover-${p.id}`, "aria-label": t("people.handover_named", { name: p.name }) }, t("people.handover")),
          h("button", { type: "button", class: "btn btn-small btn-quiet btn-danger-text", "data-action": "ask", "data-confirm": `remove-${p.id}`, "aria-label": t("people.remove_named", { name: p.name }) }, t("people.remove")))));
  }

  // -- input ----------------------------------------------------------------------------

  /** @param {MouseEvent} event */
  onClick(event) {
    const target = /** @type {HTMLElement | null} */ (event.target instanceof Element ? event.target.closest("button[data-action]") : null);
    if (!target || target.hasAttribute("disabled")) return;
    const data = target.dataset;
    const model = this.model;
    const item = data.item ?? "";
    switch (data.action) {
      case "export":
        download(this.sessionId, this.token, data.format ?? "", target);
        return;
      case "dismiss":
        this.notice = null;
        break;
      case "copy":
        copyText(data.copy ?? "").then((ok) => this.showNotice("info", t(ok ? "notice.copied" : "notice.copy_failed")));
        break;
      case "edit":
        this.editing = item;
        break;
      case "cancel-edit":
        this.stopEditing();
        break;
      case "delete":
        this.send({ type: "delete_item", item_id: item });
        this.focusNear(item);
        break;
      case "rate": {
        const current = model?.view(this.connection?.pending ?? []).get(item)?.rating;
        const rating = /** @type {"cold" | "warm" | "neutral"} */ (data.rating);
        this.send({ type: "rate_item", item_id: item, rating: current === rating ? null : rating });
        break;
      }
      case "choose":
        this.send({ type: "choose_item", item_id: item, chosen: target.getAttribute("aria-pressed") !== "true" });
        break;
      case "circle":
        this.send({ type: "circle_item", item_id: item, circled: target.getAttribute("aria-pressed") !== "true" });
        break;
      case "vote":
        this.send({ type: "vote", item_id: item, delta: data.delta === "-1" ? -1 : 1 });
        break;
      case "step":
        this.send({ type: "set_step", step: Number(data.step) });
        break;
      case "lock":
        this.send({ type: "lock_section", section: data.section ?? "", locked: data.locked === "null" ? null : data.locked === "true" });
        break;
      case "reveal":
        this.send({ type: "reveal_section", section: data.section ?? "" });
        break;
      case "timer": {
        const action = /** @type {"start" | "pause" | "add" | "reset"} */ (data.timerAction);
        this.send({ type: "set_timer", action, seconds: action === "add" ? ADD_SECONDS : 0 });
        break;
      }
      case "ready":
        this.send({ type: "set_ready", ready: !model?.board.you_ready });
        break;
      case "role":
        this.confirm = null;
        this.send({ type: "assign_role", participant_id: data.pid ?? "", role: /** @type {Role} */ (data.role) });
        break;
      case "ask":
        this.confirm = data.confirm ?? null;
        this.focusAfterRender(`[data-person="${data.confirm?.replace(/^\w+-/, "")}"] .person-actions button`);
        break;
      case "confirm-cancel":
        this.confirm = null;
        break;
      case "remove":
        this.confirm = null;
        this.send({ type: "remove_participant", participant_id: data.pid ?? "" });
        break;
      case "anonymous":
        this.send({ type: "set_anonymous", anonymous: !model?.board.anonymous });
        break;
      case "export-toggle":
        this.send({ type: "set_export", participants: !(model?.board.participant_export ?? true) });
        break;
      case "close-ask":
        this.confirm = "close";
        this.focusAfterRender("[data-action=close-confirm]");
        break;
      case "close-cancel":
        this.confirm = null;
        break;
      case "close-confirm":
        this.confirm = null;
        this.send({ type: "close_session" });
        break;
      default:
        return;
    }
    this.scheduleRender();
  }

  /** @param {SubmitEvent} event */
  onSubmit(event) {
    const form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    event.preventDefault();
    const data = form.dataset;
    const text = (new FormData(form).get("text") ?? "").toString().trim();
    switch (data.action) {
      case "join": {
        const name = (new FormData(form).get("name") ?? "").toString().trim().slice(0, 60);
        if (!name) return;
        localStorage.setItem(this.nameKey, name);
        localStorage.setItem("iv.lastname", name);
        this.start(name);
        break;
      }
      case "add": {
        if (!text || !this.model) return;
        const area = form.querySelector("textarea");
        const prefix = area?.dataset.prefix;
        const full = prefix ? withPrefix(prefix, text) : text;
        const color = /** @type {import("./sections.js").COLORS[number]} */ ((new FormData(form).get("color") ?? "yellow").toString());
        /** @type {OpInput} */
        const op = { type: "add_item", item_id: randomId(12), section: data.section ?? "", text: full.slice(0, 2000) };
        if (data.lane) op.lane = data.lane;
        if (data.sheet && data.sheet !== "1") op.sheet = Number(data.sheet);
        if (data.parent) op.parent = data.parent;
        if (data.count !== undefined) {
          const pos = notePosition(Number(data.count));
          op.x = pos.x;
          op.y = pos.y;
          op.color = color;
        }
        if (this.send(op) && area) area.value = "";
        area?.focus();
        break;
      }
      case "save": {
        const id = data.item ?? "";
        const item = this.model?.view(this.connection?.pending ?? []).get(id);
        if (text && item && text !== item.text) this.send({ type: "edit_item", item_id: id, text: text.slice(0, 2000) });
        this.stopEditing();
        break;
      }
    }
    this.scheduleRender();
  }

  /** @param {Event} event */
  onChange(event) {
    const select = event.target;
    if (!(select instanceof HTMLSelectElement) || select.dataset.action !== "color") return;
    const item = this.model?.view(this.connection?.pending ?? []).get(select.dataset.item ?? "");
    if (!item) return;
    const color = /** @type {import("./sections.js").COLORS[number]} */ (select.value);
    this.send({ type: "move_item", item_id: item.id, x: item.x, y: item.y, color });
  }

  /**
   * Move the focus to `selector` once the pending render is done (a confirmation
   * replaces the button that had the focus).
   * @param {string} selector
   */
  focusAfterRender(selector) {
    this.scheduleRender();
    queueMicrotask(() => {
      const el = this.querySelector(selector);
      if (el instanceof HTMLElement) el.focus();
    });
  }

  stopEditing() {
    const id = this.editing;
    this.editing = null;
    this.scheduleRender();
    if (id) queueMicrotask(() => this.focusItem(id));
  }

  /** @param {string} id */
  focusItem(id) {
    const el = this.querySelector(`li[data-item="${CSS.escape(id)}"]`);
    if (el instanceof HTMLElement) el.focus();
  }

  /**
   * Before an item goes away, move the focus to its neighbour.
   * @param {string} id
   */
  focusNear(id) {
    const el = this.querySelector(`li[data-item="${CSS.escape(id)}"]`);
    const next = el?.nextElementSibling ?? el?.previousElementSibling;
    if (next instanceof HTMLElement) next.focus();
  }

  /** @param {KeyboardEvent} event */
  onKey(event) {
    const target = event.target;
    if (target instanceof HTMLTextAreaElement) {
      const form = target.form;
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing && form) {
        event.preventDefault();
        form.requestSubmit();
      } else if (event.key === "Escape" && form?.dataset.action === "save") {
        event.preventDefault();
        this.stopEditing();
      }
      return;
    }
    if (!(target instanceof HTMLLIElement) || !target.dataset.item) return;
    const id = target.dataset.item;
    const model = this.model;
    if (!model) return;
    if (target.dataset.movable && event.key.startsWith("Arrow")) {
      event.preventDefault();
      const item = model.view(this.connection?.pending ?? []).get(id);
      if (!item) return;
      const step = event.shiftKey ? MOVE_STEP_BIG : MOVE_STEP;
      const dx = event.key === "ArrowLeft" ? -step : event.key === "ArrowRight" ? step : 0;
      const dy = event.key === "ArrowUp" ? -step : event.key === "ArrowDown" ? step : 0;
      this.send({ type: "move_item", item_id: id, x: Math.max(0, item.x + dx), y: Math.max(0, item.y + dy) });
      return;
    }
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const list = [...this.querySelectorAll("li[data-item][tabindex]")];
      const index = list.indexOf(target);
      const next = list[index + (event.key === "ArrowDown" ? 1 : -1)];
      if (next instanceof HTMLElement) next.focus();
      return;
    }
    if ((event.key === "Enter" || event.key === "F2") && target.dataset.editable) {
      event.preventDefault();
      this.editing = id;
      this.scheduleRender();
      return;
    }
    if (target.dataset.rateable && !event.ctrlKey && !event.metaKey && !event.altKey) {
      const keys = { [t("rating.short.cold").toLowerCase()]: "cold", [t("rating.short.warm").toLowerCase()]: "warm", [t("rating.short.neutral").toLowerCase()]: "neutral" };
      const rating = /** @type {"cold" | "warm" | "neutral" | undefined} */ (keys[event.key.toLowerCase()]);
      if (rating) {
        event.preventDefault();
        this.send({ type: "rate_item", item_id: id, rating });
      }
    }
  }

  /** @param {PointerEvent} event */
  onPointerDown(event) {
    if (!(event.target instanceof Element) || event.button !== 0) return;
    if (event.target.closest("button, select, textarea, input, label, form")) return;
    const note = event.target.closest("li[data-movable]");
    const item = note instanceof HTMLElement ? this.model?.view(this.connection?.pending ?? []).get(note.dataset.item ?? "") : undefined;
    if (!note || !item || getComputedStyle(note).position !== "absolute") return;
    this.drag = { id: item.id, x: item.x, y: item.y, startX: event.clientX, startY: event.clientY, originX: item.x, originY: item.y, moved: false, pointer: event.pointerId };
    note.setPointerCapture(event.pointerId);
  }

  /** @param {PointerEvent} event */
  onPointerMove(event) {
    const drag = this.drag;
    if (!drag || drag.pointer !== event.pointerId) return;
    const dx = event.clientX - drag.startX;
    const dy = event.clientY - drag.startY;
    if (!drag.moved && Math.hypot(dx, dy) < DRAG_THRESHOLD) return;
    drag.moved = true;
    drag.x = Math.max(0, Math.round(drag.originX + dx));
    drag.y = Math.max(0, Math.round(drag.originY + dy));
    const el = this.querySelector(`li[data-item="${CSS.escape(drag.id)}"]`);
    if (el instanceof HTMLElement) {
      el.style.left = `${drag.x}px`;
      el.style.top = `${drag.y}px`;
      el.classList.add("is-dragging");
    }
  }

  /** @param {PointerEvent} event */
  onPointerUp(event) {
    const drag = this.drag;
    if (!drag || drag.pointer !== event.pointerId) return;
    this.drag = null;
    if (drag.moved) this.send({ type: "move_item", item_id: drag.id, x: drag.x, y: drag.y });
    const el = this.querySelector(`li[data-item="${CSS.escape(drag.id)}"]`);
    el?.classList.remove("is-dragging");
    this.scheduleRender();
  }
}

/**
 * @param {string} prefix e.g. "Mijn probleem is ..."
 * @param {string} text
 */
export function withPrefix(prefix, text) {
  const stem = prefix.replace(/\s*(\.\.\.|…)\s*$/, "").trim();
  return text.toLowerCase().startsWith(stem.toLowerCase()) ? text : `${stem} ${text}`;
}

/** @param {import("../types/protocol").Timer} timer */
export function timerText(timer) {
  const ms = timer.running && timer.deadline_ms ? timer.deadline_ms - Date.now() : timer.remaining_ms ?? 0;
  const seconds = Math.max(0, Math.ceil(ms / 1000));
  if (timer.running && seconds === 0) return t("timer.over");
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  return `${m}:${String(s).padStart(2, "0")}`;
}

/** @param {Role} role */
function roleOrder(role) {
  return ["facilitator", "presenter", "participant", "observer"].indexOf(role);
}

export { lang };

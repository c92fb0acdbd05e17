// <iv-group>: the group page at /g/{id}. A member's identity (member key) comes from
// the personal link (#m=...) or the invite (#i=... plus a name) and is kept in this
// browser; the # part is removed from the address bar at once. Everything shown comes
// from the server (GET /api/groups/{id}); the page polls it so that changes by others
// (the plan, a follow-up note) appear live.

import { HttpError, listMethods } from "./api.js";
import { h, morphChildren } from "./dom.js";
import { Conflict, forget, GroupClient, identity, joinGroup, remember } from "./group-api.js";
import { joinForm, manageCard, seriesForm } from "./group-forms.js";
import { archiveCard, lookbackView, meetingsList, membersCard, nextMeeting, questionsCard, when } from "./group-view.js";
import { explain, t, tn } from "./i18n.js";
import { brandHeader, copyField, copyText } from "./shell.js";

/** @typedef {import("./group-api.js").GroupView} GroupView */
/** @typedef {import("./group-api.js").Lookback} Lookback */

const POLL_MS = 3000;

export class GroupElement extends HTMLElement {
  constructor() {
    super();
    this.groupId = "";
    /** @type {string | null} */
    this.invite = null;
    /** @type {GroupClient | null} */
    this.client = null;
    /** @type {GroupView | null} */
    this.data = null;
    /** @type {Lookback | null} */
    this.lookback = null;
    /** @type {{kind: "error" | "info", text: string} | null} */
    this.notice = null;
    /** @type {string | null} */
    this.confirm = null;
    /** @type {string | null} */
    this.fatal = null;
    this.busy = false;
    /** @type {number | undefined} */
    this.poller = undefined;
    /** @type {import("./api.js").MethodSummary[]} */
    this.methods = [];
  }

  connectedCallback() {
    this.groupId = this.getAttribute("group-id") ?? "";
    const params = new URLSearchParams(location.hash.slice(1));
    const key = params.get("m");
    this.invite = params.get("i");
    if (location.hash) history.replaceState(null, "", location.pathname);
    if (key) remember(this.groupId, { member_id: "", name: "", key });
    if (this.invite) localStorage.setItem(`iv.group.${this.groupId}.pending-invite`, this.invite);
    else this.invite = localStorage.getItem(`iv.group.${this.groupId}.pending-invite`);
    this.addEventListener("click", (e) => this.onClick(e));
    this.addEventListener("submit", (e) => this.onSubmit(e));
    this.addEventListener("change", (e) => this.onChange(e));
    window.addEventListener("iv-langchange", () => this.render());
    const me = identity(this.groupId);
    if (me) this.open(me.key);
    this.render();
  }

  disconnectedCallback() {
    window.clearInterval(this.poller);
  }

  /** @param {string} key */
  open(key) {
    this.client = new GroupClient(this.groupId, key);
    listMethods().then((methods) => { this.methods = methods; this.render(); }).catch(() => {});
    this.refresh();
    window.clearInterval(this.poller);
    this.poller = window.setInterval(() => { if (!document.hidden) this.refresh(); }, POLL_MS);
  }

  async refresh() {
    if (!this.client) return;
    try {
      const data = await this.client.view();
      this.data = data;
      remember(this.groupId, { member_id: data.me.id, name: data.me.name, key: this.client.key });
      const next = nextMeeting(data.plan.meetings);
      this.lookback = next ? await this.client.lookback(next.id) : null;
      this.fatal = null;
    } catch (error) {
      if (error instanceof HttpError && error.status === 404) {
        window.clearInterval(this.poller);
        forget(this.groupId);
        this.client = null;
        this.data = null;
        this.fatal = "group.gone";
      } else if (!this.data) {
        this.fatal = "group.unreachable";
      }
    }
    this.render();
  }

  render() {
    const fresh = h("div", {}, this.view());
    morphChildren(this, fresh);
    document.title = this.data ? `${this.data.group.name} · ${t("app.name")}` : t("app.name");
  }

  view() {
    if (this.fatal) {
      return [brandHeader(), h("main", { id: "main", class: "page narrow" },
        h("h1", {}, t(`${this.fatal}_title`)), h("p", {}, t(this.fatal)), h("p", {}, h("a", { href: "/" }, t("notfound.home"))))];
    }
    if (!this.client) {
      if (this.invite) return [brandHeader(), joinForm(this.busy, this.notice?.kind === "error" ? this.notice.text : "")];
      return [brandHeader(), h("main", { id: "main", class: "page narrow" },
        h("h1", {}, t("group.no_identity_title")), h("p", {}, t("group.no_identity")))];
    }
    const data = this.data;
    if (!data) return [brandHeader(), h("main", { id: "main", class: "page narrow" }, h("p", { class: "loading" }, t("group.loading")))];
    const names = new Map(data.group.members.map((m) => [m.id, m.name]));
    const next = nextMeeting(data.plan.meetings);
    return [
      brandHeader(h("span", { class: "session-title" }, data.group.name)),
      h("main", { id: "main", class: "page group-page" },
        h("div", { class: "group-head" },
          h("h1", {}, data.group.name),
          h("p", { class: "lead" }, t("group.summary", { members: tn("group.members", data.group.members.length), cadence: tn("group.cadence", data.group.cadence_weeks), minutes: data.group.minutes })),
          h("p", { class: "muted" }, t("group.you_are", { name: data.me.name }))),
        h("div", { class: "notice-slot", role: "status", "aria-live": "polite" },
          this.notice ? h("div", { class: `notice notice-${this.notice.kind}` }, h("p", {}, this.notice.text)) : null),
        h("div", { class: "group-grid" },
          h("div", { class: "group-main" },
            this.nextCard(next, names),
            h("section", { class: "card", "aria-labelledby": "plan-title", "data-key": "plan" },
              h("div", { class: "card-head" },
                h("h2", { id: "plan-title" }, t("group.plan")),
                data.plan.meetings.length ? h("button", { type: "button", class: "btn btn-small", "data-action": "calendar" }, t("group.calendar_all")) : null),
              meetingsList(data, names),
              seriesForm(data, this.busy)),
            archiveCard(data)),
          h("div", { class: "group-side" },
            questionsCard(data, names, this.confirm),
            membersCard(data, this.confirm, localStorage.getItem(`iv.group.${this.groupId}.invite`), this.client.key),
            data.me.manager ? manageCard(data, this.methods, this.confirm) : null))),
    ];
  }

  /**
   * @param {import("./group-api.js").Meeting | null} next
   * @param {Map<string, string>} names
   */
  nextCard(next, names) {
    if (!next) {
      return h("section", { class: "card card-quiet", "aria-labelledby": "next-title", "data-key": "next" },
        h("h2", { id: "next-title" }, t("group.next")), h("p", { class: "muted" }, t("group.no_meetings")));
    }
    const name = (/** @type {string | null} */ id) => (id ? names.get(id) ?? t("group.nobody") : t("group.nobody"));
    return h("section", { class: "card next-card", "aria-labelledby": "next-title", "data-key": "next", "data-meeting": next.id },
      h("p", { class: "eyebrow" }, t("group.next")),
      h("h2", { id: "next-title" }, when(next.starts)),
      h("p", {}, t("group.roles_line", { facilitator: name(next.facilitator), presenter: name(next.presenter) })),
      h("button", { type: "button", class: "btn btn-primary", "data-action": "start", "data-meeting": next.id },
        next.status === "open" ? t("group.enter") : t("group.start")),
      this.lookback?.previous ? lookbackView(this.lookback.previous, this.data?.me.id ?? "", names) : null);
  }

  /**
   * Run a change and reload; `action` may answer another catalog key for its notice.
   * @param {() => Promise<any>} action
   * @param {string} [done]
   */
  async act(action, done) {
    this.busy = true;
    try {
      const said = await action();
      const key = typeof said === "string" ? said : done;
      this.notice = key ? { kind: "info", text: t(key) } : null;
    } catch (error) {
      if (error instanceof Conflict) {
        this.notice = { kind: "info", text: t("group.conflict") };
      } else {
        this.notice = { kind: "error", text: explain(error instanceof HttpError ? error.code : "network") };
      }
    }
    this.busy = false;
    this.confirm = null;
    await this.refresh();
  }

  /**
   * A plan edit with the version the member saw; on a conflict it is applied once more
   * to the plan in force (nothing the other member changed is lost).
   * @param {(version: number) => Promise<any>} edit
   */
  async editPlan(edit) {
    await this.act(async () => {
      try {
        await edit(this.data?.plan.version ?? 0);
        return "group.saved";
      } catch (error) {
        if (!(error instanceof Conflict)) throw error;
        await edit(error.current.version);
        return "group.conflict";
      }
    });
  }

  /** @param {MouseEvent} event */
  async onClick(event) {
    const button = event.target instanceof Element ? event.target.closest("button[data-action]") : null;
    if (!(button instanceof HTMLButtonElement) || !this.client || !this.data) return;
    const client = this.client;
    const action = button.dataset.action;
    const meeting = button.dataset.meeting ?? "";
    switch (action) {
      case "start": {
        try {
          const opened = await client.start(meeting);
          location.assign(opened.board);
        } catch (error) {
          this.notice = { kind: "error", text: explain(error instanceof HttpError ? error.code : "network") };
          this.render();
        }
        break;
      }
      case "calendar":
        download(await client.calendar(meeting || null));
        break;
      case "remove-meeting":
        await this.editPlan((version) => client.removeMeeting(meeting, version));
        break;
      case "export":
        download(await client.exportFile(button.dataset.session ?? "", button.dataset.format ?? "md"));
        break;
      case "overview":
        try {
          download(await client.overview(this.data.me.id, Number(button.dataset.year)));
        } catch (error) {
          this.notice = { kind: "error", text: explain(error instanceof HttpError ? error.code : "network") };
          this.render();
        }
        break;
      case "rotate":
        await this.act(async () => {
          const rotated = await client.rotateInvite();
          localStorage.setItem(`iv.group.${this.groupId}.invite`, rotated.invite_link);
        }, "group.invite_rotated");
        break;
      case "ask":
        this.confirm = button.dataset.confirm ?? null;
        this.render();
        break;
      case "cancel":
        this.confirm = null;
        this.render();
        break;
      case "remove-question": {
        const version = this.data?.questions.version ?? 0;
        await this.act(() => client.removeQuestion(button.dataset.question ?? "", version), "group.question_removed");
        break;
      }
      case "remove-member":
        await this.act(() => client.removeMember(button.dataset.member ?? ""), "group.member_removed");
        break;
      case "hand-on":
        await this.act(() => client.handOn(button.dataset.member ?? ""), "group.handed_on");
        break;
      case "copy":
        this.notice = { kind: "info", text: t((await copyText(button.dataset.copy ?? "")) ? "notice.copied" : "notice.copy_failed") };
        this.render();
        break;
      case "delete-group":
        await client.deleteGroup();
        forget(this.groupId);
        location.assign("/");
        break;
      default:
    }
  }

  /** @param {Event} event */
  async onChange(event) {
    const target = event.target;
    if (!this.client || !(target instanceof HTMLElement)) return;
    const client = this.client;
    if (target instanceof HTMLSelectElement && target.dataset.role) {
      const role = target.dataset.role;
      const value = target.value === "" ? null : target.value;
      await this.editPlan((version) => client.editMeeting(target.dataset.meeting ?? "", { version, [role]: value }));
    } else if (target instanceof HTMLInputElement && target.dataset.share) {
      const version = this.data?.questions.version ?? 0;
      await this.act(() => client.editQuestion(target.dataset.share ?? "", { version, shared: target.checked }), "group.saved");
    }
  }

  /** @param {SubmitEvent} event */
  async onSubmit(event) {
    event.preventDefault();
    const form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    const data = new FormData(form);
    const text = (/** @type {string} */ name) => String(data.get(name) ?? "").trim();
    if (form.dataset.form === "join") {
      await this.join(text("name"));
      return;
    }
    const client = this.client;
    if (!client || !this.data) return;
    const questions = this.data.questions.version;
    switch (form.dataset.form) {
      case "series":
        await this.editPlan((version) => client.addSeries(version, `${text("date")}T${text("time")}`, Number(text("count")), Number(text("weeks"))));
        break;
      case "question":
        if (!text("text")) return;
        await this.act(() => client.addQuestion({ version: questions, text: text("text"), shared: data.get("shared") === "on" }), "group.saved");
        form.reset();
        break;
      case "evaluation":
        await this.act(() => client.editQuestion(form.dataset.question ?? "", { version: questions, evaluation: text("evaluation") }), "group.saved");
        break;
      case "question-edit":
        if (!text("text")) return;
        await this.act(() => client.editQuestion(form.dataset.question ?? "", { version: questions, text: text("text") }), "group.saved");
        break;
      case "settings": {
        const version = Number(form.dataset.version ?? "0");
        await this.act(() => client.editSettings({
          version, name: text("name"), method: text("default_method"), language: text("language"),
          cadence_weeks: Number(text("cadence_weeks")), minutes: Number(text("minutes")),
        }), "group.saved");
        break;
      }
      case "follow-up": {
        const status = text("status");
        const version = Number(form.dataset.version ?? "0");
        await this.act(() => client.followUp(form.dataset.meeting ?? "", form.dataset.actionId ?? "", { version, status, note: text("note") }), "group.saved");
        break;
      }
      default:
    }
  }

  /** @param {string} name */
  async join(name) {
    if (!name || !this.invite) return;
    this.busy = true;
    this.render();
    try {
      const joined = await joinGroup(this.groupId, this.invite, name);
      localStorage.removeItem(`iv.group.${this.groupId}.pending-invite`);
      remember(this.groupId, { member_id: joined.member_id, name, key: joined.member_key });
      this.notice = null;
      this.busy = false;
      this.open(joined.member_key);
    } catch (error) {
      this.busy = false;
      this.notice = { kind: "error", text: explain(error instanceof HttpError ? error.code : "network") };
      this.render();
    }
  }
}

/**
 * Offer a file as a download.
 * @param {{blob: Blob, filename: string}} file
 */
function download({ blob, filename }) {
  const url = URL.createObjectURL(blob);
  const link = h("a", { href: url, download: filename });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export { copyField };

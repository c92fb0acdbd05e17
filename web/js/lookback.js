// <iv-lookback>: the look-back step of a group meeting on the
// board: what the previous meeting left (chosen re-definition, actions with their
// owners' follow-up), polled from the group so that a note appears live for everyone;
// the owner writes their follow-up here. Its events stay inside it.

import { HttpError } from "./api.js";
import { h, morphChildren } from "./dom.js";
import { Conflict, GroupClient, identity } from "./group-api.js";
import { lookbackView } from "./group-view.js";
import { explain, t } from "./i18n.js";

const POLL_MS = 3000;

export class LookbackElement extends HTMLElement {
  constructor() {
    super();
    /** @type {GroupClient | null} */
    this.client = null;
    /** @type {import("./group-api.js").Lookback | null} */
    this.data = null;
    /** @type {Map<string, string>} */
    this.names = new Map();
    this.me = "";
    /** @type {string | null} */
    this.error = null;
    /** @type {number | undefined} */
    this.poller = undefined;
    this.meetingId = "";
  }

  connectedCallback() {
    const link = new URLSearchParams(location.hash.slice(1));  // #g=<group>&meeting=<id>
    const groupId = link.get("g") ?? "";
    this.meetingId = link.get("meeting") ?? "";
    const member = groupId ? identity(groupId) : null;
    if (!member) return;
    this.client = new GroupClient(groupId, member.key);
    this.me = member.member_id;
    for (const type of ["submit", "change", "keydown", "click"]) {
      this.addEventListener(type, (event) => event.stopPropagation());
    }
    this.addEventListener("submit", (e) => this.onSubmit(e));
    window.addEventListener("iv-langchange", () => this.render());
    this.refresh();
    this.poller = window.setInterval(() => { if (!document.hidden) this.refresh(); }, POLL_MS);
  }

  disconnectedCallback() {
    window.clearInterval(this.poller);
  }

  async refresh() {
    if (!this.client) return;
    try {
      const [view, data] = await Promise.all([
        this.client.view(), this.client.lookback(this.meetingId)]);
      this.names = new Map(view.group.members.map((m) => [m.id, m.name]));
      this.me = view.me.id;
      this.data = data;
      this.error = null;
    } catch (error) {
      this.error = explain(error instanceof HttpError ? error.code : "network");
    }
    this.render();
  }

  render() {
    const previous = this.data?.previous;
    morphChildren(this, h("div", {}, h("div", { class: "lookback-panel" },
      this.error ? h("p", { class: "form-error", role: "alert" }, this.error) : null,
      previous ? lookbackView(previous, this.me, this.names) : h("p", { class: "muted" }, t(this.data ? "group.lookback_empty" : "group.loading")))));
  }

  /** @param {SubmitEvent} event */
  async onSubmit(event) {
    event.preventDefault();
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || form.dataset.form !== "follow-up" || !this.client) return;
    const data = new FormData(form);
    const note = { version: Number(form.dataset.version ?? "0"), status: String(data.get("status") ?? ""), note: String(data.get("note") ?? "").trim() };
    try {
      await this.client.followUp(form.dataset.meeting ?? "", form.dataset.actionId ?? "", note);
    } catch (error) {
      if (!(error instanceof Conflict)) this.error = explain(error instanceof HttpError ? error.code : "network");
    }
    await this.refresh();
  }
}

// <iv-attendance>: the attendance panel beside the board. It reads the member's own
// record over HTTP (the client id is the proof, as the record outlives the board),
// lets the member confirm their attendance and download a certificate, lets whoever
// led confirm and download the presence list, and lets a member delete their own
// record. The facilitator's session deletion (after the close) asks whether the
// attendance goes too. The server decides every right; this shows what it answers.

import { filenameOf, HttpError } from "./api.js";
import { h, morphChildren, tagOf } from "./dom.js";
import { meetingMember } from "./group-api.js";
import { explain, lang, t } from "./i18n.js";

/**
 * @typedef {object} AttendanceLine
 * @property {string} name
 * @property {string[]} roles
 * @property {number[][]} periods
 * @property {number | null} from_ms
 * @property {number | null} to_ms
 * @property {number} duration_ms
 * @property {number | null} confirmed_ms
 */
/**
 * @typedef {object} AttendanceView
 * @property {{started_ms: number | null, ended_ms: number | null, approved_ms: number | null}} session
 * @property {boolean} facilitator
 * @property {AttendanceLine} me
 * @property {AttendanceLine[]} lines
 */

/**
 * The client id the board's connection keeps for this session and link (see
 * connection.js), created when missing so the door and the board use the same one.
 * @param {string} sessionId
 * @param {string} token
 */
export function storedClientId(sessionId, token) {
  const key = `iv.conn.${sessionId}.${tagOf(token)}`;
  try {
    const value = JSON.parse(localStorage.getItem(key) ?? "null");
    if (value && typeof value.client_id === "string") return value.client_id;
  } catch {
    // a broken entry: the connection starts afresh too
  }
  const bytes = new Uint8Array(20);
  crypto.getRandomValues(bytes);
  const id = `c${Array.from(bytes, (b) => (b % 36).toString(36)).join("")}`;
  localStorage.setItem(key, JSON.stringify({ client_id: id, seq: 0, pending: [] }));
  return id;
}

/**
 * @param {Response} response
 */
async function failure(response) {
  let code = `http_${response.status}`;
  try {
    const body = await response.json();
    code = body.code ?? body.error ?? code;
  } catch {
    // not JSON
  }
  return new HttpError(response.status, code);
}

/**
 * The session's agreement at the door (null: none).
 * @param {string} sessionId
 * @param {string} token
 * @returns {Promise<string | null>}
 */
export async function fetchAgreement(sessionId, token) {
  const response = await fetch(`/api/sessions/${sessionId}/agreement`, { headers: { authorization: `Bearer ${token}` } });
  if (!response.ok) throw await failure(response);
  return (await response.json()).text;
}

/**
 * @param {string} sessionId
 * @param {string} token
 * @param {string} clientId
 */
export async function acceptAgreement(sessionId, token, clientId) {
  const response = await fetch(`/api/sessions/${sessionId}/agreement/accept`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ client_id: clientId }),
  });
  if (!response.ok) throw await failure(response);
}

/** How long a burst of board or presence changes waits before the record reloads. */
const RELOAD_DELAY_MS = 400;

/** The downloads, by button: the file the server names `<name>.<extension>`. */
const FILES = /** @type {Record<string, [string, string]>} */ ({
  certificate: ["certificate", "pdf"],
  "list-pdf": ["list", "pdf"],
  "list-csv": ["list", "csv"],
});

/** @param {number | null} ms */
function clock(ms) {
  return ms === null ? "" : new Date(ms).toLocaleTimeString(lang() === "nl" ? "nl-NL" : "en-GB", { hour: "2-digit", minute: "2-digit" });
}

/** @param {number} ms */
function duration(ms) {
  const minutes = Math.round(ms / 60000);
  return minutes < 60 ? t("attendance.minutes", { m: minutes }) : t("attendance.hours", { h: Math.floor(minutes / 60), m: minutes % 60 });
}

/** @param {AttendanceLine} line */
function periods(line) {
  return line.periods.map(([a, b]) => `${clock(a)}–${clock(b)}`).join(", ");
}

export class AttendanceElement extends HTMLElement {
  static get observedAttributes() {
    return ["data-closed", "data-role", "data-step", "data-online", "data-connected"];
  }

  constructor() {
    super();
    /** @type {AttendanceView | null} */
    this.view = null;
    /** @type {string | null | undefined} the agreement at the door, for the facilitator before the start */
    this.agreement = undefined;
    /** @type {string | null} */
    this.message = null;
    this.gone = false;
    this.busy = false;
    /** @type {number | undefined} */
    this.reloadTimer = undefined;
  }

  get sessionId() {
    return this.dataset.session ?? "";
  }

  get token() {  // the #k= link, or in a group meeting the member's own key (as the board)
    return meetingMember(location.hash)?.key ?? new URLSearchParams(location.hash.slice(1)).get("k") ?? "";
  }

  get clientId() {
    return storedClientId(this.sessionId, this.token);
  }

  connectedCallback() {
    this.addEventListener("click", (event) => this.onClick(event));
    window.addEventListener("iv-langchange", () => this.render());
    this.load();
  }

  /** A change of the board (or of who is online) reloads the record; changes that come
   * close together share one request, made only while the board is connected (the
   * reconnect itself is a change, so nothing is missed). */
  attributeChangedCallback() {
    if (!this.isConnected) return;
    window.clearTimeout(this.reloadTimer);
    this.reloadTimer = window.setTimeout(() => {
      if (this.dataset.connected !== "false") this.load();
    }, RELOAD_DELAY_MS);
  }

  /**
   * @param {string} path
   * @param {RequestInit} [init]
   */
  async call(path, init = {}) {
    const response = await fetch(`/api/attendance/${this.sessionId}${path}`, {
      ...init,
      headers: { authorization: `Member ${this.clientId}` },
    });
    if (!response.ok) throw await failure(response);
    return response;
  }

  async load() {
    if (this.gone) return this.render();
    try {
      this.view = await (await this.call("")).json();
    } catch {
      this.view = null;
    }
    if (this.mayEditAgreement && this.agreement === undefined) {
      try {
        this.agreement = await fetchAgreement(this.sessionId, this.token);
      } catch {
        this.agreement = null;
      }
    }
    this.render();
  }

  /** The facilitator may change the agreement until the first step after the check-in
   * (the server refuses it afterwards: 409 started). */
  get mayEditAgreement() {
    return this.dataset.role === "facilitator" && this.dataset.step === "0" && this.dataset.closed !== "true";
  }

  /** @param {string | null} text */
  async saveAgreement(text) {
    const response = await fetch(`/api/sessions/${this.sessionId}/agreement`, {
      method: "PUT",
      headers: { authorization: `Bearer ${this.token}`, "content-type": "application/json" },
      body: JSON.stringify({ text }),
    });
    if (!response.ok) throw await failure(response);
    this.agreement = (await response.json()).text;
  }

  /**
   * @param {() => Promise<void>} action
   * @param {string} done
   */
  async act(action, done) {
    this.busy = true;
    this.render();
    try {
      await action();
      this.message = done;
    } catch (error) {
      this.message = explain(error instanceof HttpError ? `attendance_${error.code}` : "network");
    }
    this.busy = false;
    await this.load();
  }

  /**
   * @param {[string, string]} file
   */
  async download([name, extension]) {
    const fmt = `${name}.${extension}`;
    const response = await this.call(`/${fmt}`);
    const url = URL.createObjectURL(await response.blob());
    const link = document.createElement("a");
    link.href = url;
    link.download = filenameOf(response, fmt);
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }

  /** @param {MouseEvent} event */
  onClick(event) {
    const button = event.target instanceof Element ? event.target.closest("button[data-attendance]") : null;
    if (!(button instanceof HTMLButtonElement) || this.busy) return;
    const action = button.dataset.attendance ?? "";
    switch (action) {
      case "confirm":
        this.act(async () => { await this.call("/confirm", { method: "POST" }); }, t("attendance.confirmed_now"));
        break;
      case "approve":
        this.act(async () => { await this.call("/approve", { method: "POST" }); }, t("attendance.approved_now"));
        break;
      case "certificate":
      case "list-pdf":
      case "list-csv":
        this.act(() => this.download(FILES[action]), t("attendance.downloaded"));
        break;
      case "forget":
        if (!window.confirm(t("attendance.forget_confirm"))) return;
        this.act(async () => {
          await this.call("/me", { method: "DELETE" });
          this.gone = true;
        }, t("attendance.forgotten"));
        break;
      case "agreement-save": {
        const area = this.querySelector("#agreement-edit");
        const text = area instanceof HTMLTextAreaElement ? area.value.trim() : "";
        this.act(() => this.saveAgreement(text || null), t("attendance.agreement_saved"));
        break;
      }
      case "delete-keep":
      case "delete-all":
        this.act(async () => {
          const keep = action === "delete-keep" ? "keep" : "delete";
          const response = await fetch(`/api/sessions/${this.sessionId}?attendance=${keep}`, {
            method: "DELETE",
            headers: { authorization: `Bearer ${this.token}` },
          });
          if (!response.ok) throw await failure(response);
          if (keep === "delete") this.gone = true;
        }, t("attendance.session_deleted"));
        break;
      default:
    }
  }

  render() {
    morphChildren(this, h("div", {}, this.panel()));
  }

  panel() {
    const view = this.view;
    const closed = this.dataset.closed === "true";
    const status = h("p", { class: "attendance-status", role: "status" }, this.message ?? "");
    const head = h("h2", { id: "attendance-title" }, t("attendance.title"));
    if (!view) {
      return h("section", { class: "panel attendance", "aria-labelledby": "attendance-title" },
        head, h("p", { class: "hint" }, t(this.gone ? "attendance.gone" : "attendance.none")), status);
    }
    const me = view.me;
    const confirmed = me.confirmed_ms !== null;
    const approved = view.session.approved_ms !== null;
    return h("section", { class: "panel attendance", "aria-labelledby": "attendance-title" },
      head,
      h("p", { class: "attendance-me" }, me.periods.length
        ? t(closed ? "attendance.was_present" : "attendance.present", { periods: periods(me), duration: duration(me.duration_ms) })
        : t("attendance.none")),
      confirmed
        ? h("p", { class: "hint", "data-attendance-confirmed": "" }, t("attendance.confirmed_at", { time: clock(me.confirmed_ms) }))
        : null,
      h("div", { class: "attendance-buttons" },
        h("button", { type: "button", class: `btn btn-small${confirmed ? "" : " btn-primary"}`, "data-attendance": "confirm", disabled: this.busy || !me.periods.length }, t(confirmed ? "attendance.confirm_again" : "attendance.confirm")),
        closed && me.periods.length ? h("button", { type: "button", class: "btn btn-small", "data-attendance": "certificate", disabled: this.busy }, t("attendance.certificate")) : null),
      view.facilitator ? this.leadPart(view, closed, approved) : null,
      this.mayEditAgreement && this.agreement !== undefined ? this.agreementEditor() : null,
      h("p", { class: "hint" }, t("attendance.hint")),
      h("button", { type: "button", class: "btn btn-small btn-quiet", "data-attendance": "forget", disabled: this.busy }, t("attendance.forget")),
      status);
  }

  agreementEditor() {
    return h("details", { class: "attendance-agreement", "data-key": "agreement-edit" },
      h("summary", {}, t("attendance.agreement_title")),
      h("label", { for: "agreement-edit" }, t("attendance.agreement_label")),
      h("textarea", { id: "agreement-edit", rows: "4", maxlength: "2000", "data-key": "agreement-text", "aria-describedby": "agreement-edit-hint" }, this.agreement ?? ""),
      h("p", { class: "hint", id: "agreement-edit-hint" }, t("attendance.agreement_hint")),
      h("button", { type: "button", class: "btn btn-small", "data-attendance": "agreement-save", disabled: this.busy }, t("attendance.agreement_save")));
  }

  /**
   * @param {AttendanceView} view
   * @param {boolean} closed
   * @param {boolean} approved
   */
  leadPart(view, closed, approved) {
    const done = view.lines.filter((line) => line.confirmed_ms !== null).length;
    return h("div", { class: "attendance-lead" },
      h("p", { class: "hint" }, t("attendance.list_status", { done, total: view.lines.length })),
      approved ? h("p", { class: "hint", "data-attendance-approved": "" }, t("attendance.approved_at", { time: clock(view.session.approved_ms) })) : null,
      h("div", { class: "attendance-buttons" },
        h("button", { type: "button", class: "btn btn-small", "data-attendance": "approve", disabled: this.busy }, t(approved ? "attendance.approve_again" : "attendance.approve")),
        closed ? h("button", { type: "button", class: "btn btn-small", "data-attendance": "list-pdf", disabled: this.busy }, t("attendance.list_pdf")) : null,
        closed ? h("button", { type: "button", class: "btn btn-small", "data-attendance": "list-csv", disabled: this.busy }, t("attendance.list_csv")) : null),
      closed ? h("details", { class: "attendance-delete", "data-key": "delete-session" },
        h("summary", {}, t("attendance.delete_title")),
        h("p", { class: "hint" }, t("attendance.delete_body")),
        h("div", { class: "attendance-buttons" },
          h("button", { type: "button", class: "btn btn-small", "data-attendance": "delete-keep", disabled: this.busy }, t("attendance.delete_keep")),
          h("button", { type: "button", class: "btn btn-small btn-danger", "data-attendance": "delete-all", disabled: this.busy }, t("attendance.delete_all")))) : null);
  }
}

/**
 * The session's agreement at the door (null: none, or the link is wrong: the hello
 * will tell).
 * @param {string} sessionId
 * @param {string} token
 * @returns {Promise<string | null>}
 */
export async function doorAgreement(sessionId, token) {
  try {
    return await fetchAgreement(sessionId, token);
  } catch {
    return null;
  }
}

/**
 * Accept the agreement at the door when the session has one; resolves at once when it
 * has none.
 * @param {string} sessionId
 * @param {string} token
 * @param {string | null | undefined} agreement
 * @returns {Promise<unknown>}
 */
export function passDoor(sessionId, token, agreement) {
  if (typeof agreement !== "string") return Promise.resolve();
  return acceptAgreement(sessionId, token, storedClientId(sessionId, token));
}

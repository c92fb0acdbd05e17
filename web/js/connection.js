// The websocket to the board: hello, resume with (epoch, last_seq), and an outbox of
// ops that stay until the server answers them (`applied` or `rejected`). The client id,
// the last client_seq and the unanswered ops are kept in localStorage per session and
// link, so a reload or a lost connection resends them with the same idempotency key.

import { randomId, tagOf } from "./dom.js";
import { CLOSE, ERROR, FINAL_CLOSE, MAX_IN_FLIGHT, PROTOCOL_VERSION, RESEND_ERRORS } from "./protocol.js";

/** @typedef {import("../types/protocol").ServerMessage} ServerMessage */
/** @typedef {import("../types/protocol").Welcome} Welcome */
/** @typedef {import("../types/protocol").Event} BoardEvent */
/** @typedef {import("../types/protocol").Applied} Applied */
/** @typedef {import("../types/protocol").Rejected} Rejected */
/** @typedef {import("../types/protocol").Error} ErrorMessage */
/** @typedef {import("../types/protocol").Presence} Presence */
/** @typedef {import("../types/protocol").Classified} Classified */
/** @typedef {Exclude<import("../types/protocol").ClientMessage, import("../types/protocol").Hello | import("../types/protocol").Classify>} Op */
/**
 * An op before it gets its client_seq.
 * @typedef {Op extends infer T ? T extends Op ? Omit<T, "client_seq"> : never : never} OpInput
 */
/** @typedef {"connecting" | "open" | "offline" | "ended"} Status */

const RETRY_MS = [1000, 2000, 4000, 8000];
const RESEND_DELAY_MS = 1000;

/**
 * @typedef {object} Handlers
 * @property {(welcome: Welcome) => void} welcome
 * @property {(event: BoardEvent) => void} event
 * @property {(ack: Applied | Rejected, op: Op | undefined) => void} answer
 * @property {(error: ErrorMessage, op: Op | undefined) => void} error
 * @property {(presence: Presence) => void} presence
 * @property {(status: Status, code?: string) => void} status
 * @property {(answer: Classified) => void} [classified]
 */

/**
 * @typedef {object} Stored
 * @property {string} client_id
 * @property {number} seq last client_seq used
 * @property {Op[]} pending ops without an answer, in order
 * @property {boolean} [without_role] the person chose to enter without the facilitator role
 */

export class BoardConnection {
  /**
   * @param {string} sessionId
   * @param {string} token
   * @param {string} name
   * @param {Handlers} handlers
   */
  constructor(sessionId, token, name, handlers) {
    this.sessionId = sessionId;
    this.token = token;
    this.name = name;
    this.handlers = handlers;
    this.storageKey = `iv.conn.${sessionId}.${tagOf(token)}`;
    /** @type {Stored} */
    this.stored = this.load();
    this.save();
    /** @type {WebSocket | null} */
    this.socket = null;
    /** @type {Status} */
    this.status = "connecting";
    this.welcomed = false;
    this.epoch = "";
    this.lastSeq = 0;
    this.attempt = 0;
    /** @type {number | undefined} */
    this.retryTimer = undefined;
    /** Take the facilitator role over with the next hello (asked once, never on a retry after a welcome). */
    this.takeOver = false;
    window.addEventListener("online", () => this.retryNow());
  }

  /** @returns {Stored} */
  load() {
    try {
      const raw = localStorage.getItem(this.storageKey);
      if (raw) {
        const value = JSON.parse(raw);
        if (typeof value.client_id === "string" && Array.isArray(value.pending)) return value;
      }
    } catch {
      // a broken entry starts afresh with a new client id
    }
    return { client_id: `c${randomId(20)}`, seq: 0, pending: [] };
  }

  save() {
    localStorage.setItem(this.storageKey, JSON.stringify(this.stored));
  }

  get clientId() {
    return this.stored.client_id;
  }

  /** Ops sent or queued that have no answer yet. */
  get pending() {
    return this.stored.pending;
  }

  connect() {
    window.clearTimeout(this.retryTimer);
    this.setStatus(this.welcomed || this.attempt > 0 ? "offline" : "connecting");
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${location.host}/ws/${this.sessionId}`);
    this.socket = socket;
    this.welcomed = false;
    socket.addEventListener("open", () => {
      /** @type {import("../types/protocol").Hello} */
      const hello = {
        type: "hello",
        protocol: PROTOCOL_VERSION,
        token: this.token,
        name: this.name,
        client_id: this.clientId,
        resume: this.epoch ? { epoch: this.epoch, last_seq: this.lastSeq } : null,
      };
      if (this.takeOver) hello.take_over = true;
      else if (this.stored.without_role) hello.take_over = false;
      socket.send(JSON.stringify(hello));
    });
    socket.addEventListener("message", (message) => {
      if (this.socket === socket) this.receive(JSON.parse(String(message.data)));
    });
    socket.addEventListener("close", (close) => {
      if (this.socket === socket) this.closed(close.code);
    });
  }

  /** @param {number} code */
  closed(code) {
    this.socket = null;
    this.welcomed = false;
    if (this.status === "ended") return;
    if (FINAL_CLOSE.has(code)) {
      this.setStatus("ended", code === CLOSE.REPLACED ? "replaced" : `close_${code}`);
      return;
    }
    this.setStatus("offline");
    const delay = RETRY_MS[Math.min(this.attempt, RETRY_MS.length - 1)];
    this.attempt += 1;
    this.retryTimer = window.setTimeout(() => this.connect(), delay);
  }

  /**
   * Connect again after the person answered the facilitator question: take the role
   * over (once) or enter without it (remembered for this session and link).
   * @param {boolean} takeOver
   */
  restart(takeOver) {
    this.takeOver = takeOver;
    this.stored.without_role = !takeOver;
    this.save();
    const socket = this.socket;
    this.socket = null;
    socket?.close();
    this.status = "connecting";
    this.attempt = 0;
    this.connect();
  }

  retryNow() {
    if (this.status === "offline" && this.socket === null) this.connect();
  }

  /**
   * @param {Status} status
   * @param {string} [code]
   */
  setStatus(status, code) {
    this.status = status;
    this.handlers.status(status, code);
  }

  /** @param {ServerMessage} message */
  receive(message) {
    switch (message.type) {
      case "welcome":
        this.epoch = message.epoch;
        this.lastSeq = message.seq;
        this.welcomed = true;
        this.takeOver = false;
        this.attempt = 0;
        this.setStatus("open");
        this.handlers.welcome(message);
        for (const op of this.pending) this.transmit(op);
        break;
      case "event":
        this.lastSeq = message.seq;
        this.handlers.event(message);
        break;
      case "applied":
      case "rejected": {
        const op = this.settle(message.client_seq);
        this.handlers.answer(message, op);
        break;
      }
      case "error": {
        const seq = message.client_seq;
        const op = this.pending.find((p) => p.client_seq === seq);
        if (op && RESEND_ERRORS.has(message.code)) {
          window.setTimeout(() => this.transmit(op), RESEND_DELAY_MS);
        } else if (op && message.code !== ERROR.HELLO_REQUIRED) {
          this.settle(op.client_seq);
        }
        if (message.code === ERROR.ACCESS_DENIED || message.code === ERROR.PROTOCOL_MISMATCH) {
          this.setStatus("ended", message.code);
        }
        this.handlers.error(message, op);
        break;
      }
      case "presence":
        this.handlers.presence(message);
        break;
      case "classified":
        this.handlers.classified?.(message);
        break;
    }
  }

  /**
   * Remove the op with `clientSeq` from the outbox.
   * @param {number} clientSeq
   */
  settle(clientSeq) {
    const index = this.pending.findIndex((p) => p.client_seq === clientSeq);
    if (index < 0) return undefined;
    const [op] = this.pending.splice(index, 1);
    this.save();
    return op;
  }

  /**
   * Queue an op under the next client_seq and send it when the socket is ready.
   * Returns the op as sent, or null when too many ops wait for an answer.
   * @param {OpInput} input
   * @returns {Op | null}
   */
  send(input) {
    if (this.pending.length >= MAX_IN_FLIGHT) return null;
    this.stored.seq += 1;
    const op = /** @type {Op} */ ({ ...input, client_seq: this.stored.seq });
    this.pending.push(op);
    this.save();
    this.transmit(op);
    return op;
  }

  /**
   * Ask the server how a question reads (open or closed). Not an op: nothing is
   * queued or kept; without a connection the question is simply not asked.
   * @param {number} request
   * @param {string} text
   */
  classify(request, text) {
    if (this.socket && this.welcomed && this.socket.readyState === WebSocket.OPEN) {
      this.socket.send(JSON.stringify({ type: "classify", request, text: text.slice(0, 2000) }));
    }
  }

  /** @param {Op} op */
  transmit(op) {
    if (this.socket && this.welcomed && this.socket.readyState === WebSocket.OPEN) {
      this.socket.send(JSON.stringify(op));
    }
  }
}

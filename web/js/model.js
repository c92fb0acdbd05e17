// The board as the server described it (welcome snapshot + events), and the optimistic
// view over it (own ops not yet answered). Rights are read from what the server sends
// per section (`SectionState.rights`, computed by server/core/permissions.py); nothing
// here derives a right, it only decides which controls to show.

/** @typedef {import("../types/protocol").Board} Board */
/** @typedef {import("../types/protocol").Item} Item */
/** @typedef {import("../types/protocol").Participant} Participant */
/** @typedef {import("../types/protocol").SectionState} SectionState */
/** @typedef {import("../types/protocol").Method} Method */
/** @typedef {import("../types/protocol").Step} Step */
/** @typedef {import("../types/protocol").StepSection} StepSection */
/** @typedef {import("../types/protocol").SectionDef} SectionDef */
/** @typedef {import("../types/protocol").Timer} Timer */
/** @typedef {import("../types/protocol").Welcome} Welcome */
/** @typedef {import("../types/protocol").Event} BoardEvent */
/** @typedef {import("../types/protocol").Localized} Localized */
/** @typedef {import("../types/protocol").Round} Round */
/** @typedef {import("../types/protocol").Spotlight} Spotlight */
/** @typedef {import("./connection.js").Op} Op */
/** @typedef {Participant["role"]} Role */
/** @typedef {import("../types/protocol").SectionState["rights"]} Rights */
/** @typedef {"add" | "rate" | "circle" | "choose" | "vote" | "edit_own" | "edit_any" | "move" | "delete_own" | "delete_any" | "add_when_unlocked"} Right */
/**
 * An item with its defaults filled in, as shown.
 * @typedef {Required<Omit<Item, "author" | "lane" | "parent" | "rating">> &
 *   Pick<Item, "author" | "lane" | "parent" | "rating"> & {pending: boolean}} ViewItem
 */

/** @param {Item} item @returns {ViewItem} */
function withDefaults(item) {
  return {
    author: null, x: 0, y: 0, color: "yellow", lane: null, sheet: 1, parent: null,
    rating: null, circled: false, chosen: false, votes: 0, ...item, pending: false,
  };
}

export class BoardModel {
  /** @param {Welcome} welcome */
  constructor(welcome) {
    /** @type {Method} */
    this.method = welcome.method;
    this.me = welcome.participant_id;
    this.seq = welcome.seq;
    /** @type {Map<string, Item>} */
    this.items = new Map();
    /** @type {Map<string, Participant>} */
    this.participants = new Map();
    /** @type {Map<string, SectionState>} */
    this.sections = new Map();
    /** @type {Map<string, number>} */
    this.myVotes = new Map();
    /** @type {Set<string>} */
    this.online = new Set();
    /** Own items of hidden sections that the server sends to nobody (anonymity). */
    /** @type {Map<string, Item>} */
    this.ownHidden = new Map();
    /** Whether this browser holds the secret of the item with this id (set by the board). */
    /** @type {(id: string) => boolean} */
    this.hasSecret = () => false;
    /** @type {Omit<Board, "items" | "participants" | "sections" | "my_votes">} */
    this.board = /** @type {any} */ ({});
    /** The facilitator notes per step: sent only while this viewer leads. */
    /** @type {(Localized | null)[]} */
    this.notes = welcome.notes ?? [];
    /** Whether this client's link exports even while participant export is off. */
    this.linkExports = welcome.link_exports ?? false;
    if (welcome.board) this.load(welcome.board);
  }

  /** Whether the server lets this client export the closed board now (as it said). */
  get mayExport() {
    return this.linkExports || (this.board.participant_export ?? true);
  }

  /** @param {Board} board */
  load(board) {
    const { items, participants, sections, my_votes, ...rest } = board;
    this.board = rest;
    this.items = new Map(items.map((i) => [i.id, i]));
    this.participants = new Map(participants.map((p) => [p.id, p]));
    this.sections = new Map(sections.map((s) => [s.id, s]));
    this.myVotes = new Map(Object.entries(my_votes ?? {}));
  }

  /**
   * A welcome on a reconnect: keep the board when recovered, else replace it.
   * @param {Welcome} welcome
   */
  rewelcome(welcome) {
    this.method = welcome.method;
    this.me = welcome.participant_id;
    this.seq = welcome.seq;
    if (welcome.notes) this.notes = welcome.notes;
    this.linkExports = welcome.link_exports ?? false;
    if (!welcome.recovered && welcome.board) this.load(welcome.board);
  }

  /**
   * Apply one event; returns the items that are new to this viewer.
   * @param {BoardEvent} event
   * @returns {Item[]}
   */
  apply(event) {
    this.seq = event.seq;
    /** @type {Item[]} */
    const fresh = [];
    for (const change of event.changes) {
      switch (change.type) {
        case "item_put":
          if (!this.items.has(change.item.id)) fresh.push(change.item);
          this.items.set(change.item.id, change.item);
          this.ownHidden.delete(change.item.id);
          break;
        case "item_removed":
          this.items.delete(change.item_id);
          this.ownHidden.delete(change.item_id);
          this.myVotes.delete(change.item_id);
          break;
        case "vote_put":
          this.myVotes.set(change.item_id, change.mine);
          break;
        case "section_put":
          this.sections.set(change.section.id, change.section);
          break;
        case "step_set":
          this.board.step = change.step;
          break;
        case "participant_put":
          this.participants.set(change.participant.id, change.participant);
          break;
        case "timer_set":
          this.board.timer = change.timer;
          break;
        case "ready_set":
          this.board.ready_count = change.count;
          if (change.count === 0) this.board.you_ready = false;
          break;
        case "session_put":
          this.board.anonymous = change.anonymous;
          this.board.closed = change.closed;
          this.board.presenter = change.presenter;
          this.board.facilitator = change.facilitator;
          this.board.participant_export = change.participant_export ?? true;
          break;
        case "spotlight_set":
          this.board.spotlight = change.spotlight;
          break;
        case "follow_set":
          this.board.not_following = change.not_following;
          break;
        case "round_set":
          this.board.round = change.round;
          break;
        case "notes_set":
          this.notes = change.notes;
          break;
      }
    }
    return fresh;
  }

  /** @returns {Role} */
  get role() {
    return this.participants.get(this.me)?.role ?? "participant";
  }

  /** @returns {Step} */
  get step() {
    return this.method.steps[this.board.step];
  }

  /** @param {string} id */
  sectionDef(id) {
    return this.method.sections.find((s) => s.id === id);
  }

  /** @param {string} id */
  stepSection(id) {
    return (this.step.sections ?? []).find((s) => s.section === id);
  }

  /**
   * Roles that hold `right` on `section` now, as the server said.
   * @param {Right} right
   * @param {string} section
   * @returns {Role[]}
   */
  rolesWith(right, section) {
    const rights = /** @type {Partial<Record<Right, Role[]>>} */ (this.sections.get(section)?.rights ?? {});
    return rights[right] ?? [];
  }

  /**
   * The members online now (a presence frame); returns who was online before.
   * @param {string[]} online
   */
  setOnline(online) {
    const was = this.online;
    this.online = new Set(online);
    return was;
  }

  /**
   * @param {Right} right
   * @param {string} section
   */
  may(right, section) {
    return this.rolesWith(right, section).includes(this.role);
  }

  /**
   * How many of the method's votes this viewer has left in `section` (the budget the
   * server enforces with vote_budget, less the own votes it reported).
   * @param {string} section
   */
  votesLeft(section) {
    let used = 0;
    for (const [id, n] of this.myVotes) if (this.items.get(id)?.section === section) used += n;
    return Math.max(0, (this.method.vote_budget ?? 3) - used);
  }

  /**
   * Whether this browser wrote `item`: its author, or, for an item without author
   * (anonymous), the holder of its secret (see secrets.js). Mirrors the server's check.
   * @param {ViewItem} item
   */
  isMine(item) {
    return item.author ? item.author === this.me : this.hasSecret(item.id);
  }

  /** @param {ViewItem} item */
  mayEdit(item) {
    return this.may("edit_any", item.section) || (this.may("edit_own", item.section) && this.isMine(item));
  }

  /** @param {ViewItem} item */
  mayDelete(item) {
    return this.may("delete_any", item.section) || (this.may("delete_own", item.section) && this.isMine(item));
  }

  get isFacilitator() {
    return this.role === "facilitator" && !this.board.closed;
  }

  /**
   * The items as shown: the server's, with the own unanswered ops laid over them.
   * @param {Op[]} pending
   * @returns {Map<string, ViewItem>}
   */
  view(pending) {
    /** @type {Map<string, ViewItem>} */
    const items = new Map();
    for (const item of this.ownHidden.values()) items.set(item.id, withDefaults(item));
    for (const item of this.items.values()) items.set(item.id, withDefaults(item));
    for (const op of pending) {
      const item = "item_id" in op && op.item_id ? items.get(op.item_id) : undefined;
      switch (op.type) {
        case "add_item":
          if (!item) {
            const { type, client_seq, item_id, secret, ...fields } = op;
            items.set(item_id, {
              ...withDefaults({ id: item_id, step: this.board.step, seq: Infinity, ...fields }),
              author: this.board.anonymous ? null : this.me,
              pending: true,
            });
          }
          break;
        case "edit_item":
          if (item) items.set(item.id, { ...item, text: op.text, pending: true });
          break;
        case "move_item":
          if (item) {
            items.set(item.id, { ...item, x: op.x, y: op.y, color: op.color ?? item.color, pending: true });
          }
          break;
        case "delete_item":
          items.delete(op.item_id);
          break;
        case "rate_item":
          if (item) items.set(item.id, { ...item, rating: op.rating, pending: true });
          break;
        case "circle_item":
          if (item) items.set(item.id, { ...item, circled: op.circled, pending: true });
          break;
        case "choose_item":
          if (item) items.set(item.id, { ...item, chosen: op.chosen, pending: true });
          break;
      }
    }
    return items;
  }

  /**
   * Remember an own item the server will not send back (hidden section, anonymous).
   * @param {Op | undefined} op
   * @param {number} seq
   */
  keepOwn(op, seq) {
    if (op?.type === "edit_item" || op?.type === "delete_item") {
      // the server sends changes of a hidden anonymous item to nobody: keep the own copy
      const own = this.ownHidden.get(op.item_id);
      if (own && op.type === "edit_item") this.ownHidden.set(own.id, { ...own, text: op.text });
      if (own && op.type === "delete_item") this.ownHidden.delete(own.id);
      return;
    }
    if (op?.type !== "add_item" || this.items.has(op.item_id)) return;
    const { type, client_seq, item_id, secret, ...fields } = op;
    this.ownHidden.set(item_id, { id: item_id, step: this.board.step, seq, ...fields });
  }

  /** Members who count for the ready total: present, not removed, not observers. */
  get readyMembers() {
    return [...this.participants.values()].filter((p) => !p.removed && p.role !== "observer").length;
  }

  /** The facilitator's note for the current step, if this viewer leads. */
  get stepNote() {
    return this.isFacilitator ? this.notes[this.board.step] ?? null : null;
  }

  /** The running round, if any. @returns {Round | null} */
  get activeRound() {
    const round = this.board.round;
    return round && round.active !== false ? round : null;
  }

  /** Whether `id` follows the spotlight. @param {string} id */
  follows(id) {
    return !(this.board.not_following ?? []).includes(id);
  }

  /** @param {string | null | undefined} id */
  nameOf(id) {
    return id ? this.participants.get(id)?.name ?? "" : "";
  }
}

/**
 * Whether an item passes the step's filter (carry-forward of warm, chosen, circled).
 * @param {ViewItem} item
 * @param {StepSection | undefined} config
 * @param {Map<string, ViewItem>} items
 */
export function passesFilter(item, config, items) {
  const filter = config?.filter ?? [];
  if (filter.length === 0) return true;
  const parent = item.parent ? items.get(item.parent) : undefined;
  return filter.some((f) => {
    switch (f) {
      case "chosen":
        return item.chosen;
      case "circled":
        return item.circled || Boolean(parent?.circled);
      default:
        return item.rating === f;
    }
  });
}

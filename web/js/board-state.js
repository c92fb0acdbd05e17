// What the board shows beyond the model: the connection's status and the viewer's own
// view state (the item being edited, an open confirmation, a notice, a note being
// dragged). The element owns one ViewState and is its only writer; render modules
// read it, the action table and the keys return changes to it (ViewChange).

/** @typedef {import("./connection.js").Status} Status */

/**
 * @typedef {object} Notice
 * @property {"error" | "info"} kind
 * @property {string} text
 */

/**
 * @typedef {object} Drag a sticky note being dragged (its position while dragging)
 * @property {string} id
 * @property {number} x
 * @property {number} y
 */

/**
 * @typedef {object} ViewState
 * @property {"no-token" | "join" | "connected"} stage no link token; asking for a name; connected (or connecting)
 * @property {string} lastName the name this browser used last, for the join form
 * @property {Status} status the connection's state
 * @property {string | undefined} endedCode why the connection ended, for the banner
 * @property {number} pendingCount own ops without an answer (shown while offline)
 * @property {string | null} editing id of the item being edited
 * @property {string | null} confirm the open confirmation ("close", "remove-{id}", "handover-{id}")
 * @property {Notice | null} notice
 * @property {Drag | null} drag
 * @property {string | null} invite the invite link this browser created, if any
 * @property {boolean} roleTaken the facilitator role was taken over from this device
 * @property {string | null} moving the note being placed by a click or tap (no dragging needed)
 * @property {boolean} prepOpen the case-preparation panel is open
 * @property {import("./prepare.js").Draft | null} prepDraft the preparation draft (this browser's only)
 * @property {Map<string, import("../types/protocol").Classified>} hints the server's
 *   reading of the question being written, per open-questions add form
 * @property {string | null | undefined} agreement the session's agreement at the door (undefined: loading; null: none)
 * @property {string | null} joinError why the join form is shown again
 */

/**
 * The view state changes an action may make.
 * @typedef {Partial<Pick<ViewState, "editing" | "confirm" | "notice" | "roleTaken" | "prepOpen" | "moving">>} ViewChange
 */

/** @returns {ViewState} */
export function initialView() {
  return {
    stage: "join", lastName: "", status: "connecting", endedCode: undefined, pendingCount: 0, editing: null,
    confirm: null, notice: null, drag: null, invite: null, roleTaken: false, moving: null, prepOpen: false, prepDraft: null, hints: new Map(),
    agreement: undefined, joinError: null,
  };
}

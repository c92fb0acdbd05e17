// HTTP calls of the group page, and the member's identity per group kept in this
// browser (member id, name, member key). The key travels only in the Authorization
// header; links carry it after the #, which the browser never sends.

import { filenameOf, HttpError } from "./api.js";

/** @typedef {{id: string, name: string, manager: boolean}} GroupMember */
/** @typedef {{id: string, starts: string, minutes: number, method: string, facilitator: string | null, presenter: string | null, facilitator_fixed: boolean, presenter_fixed: boolean, session_id: string | null, closed: boolean, status: "planned" | "open" | "closed"}} Meeting */
/** @typedef {{version: number, meetings: Meeting[]}} Plan */
/** @typedef {{id: string, text: string, owner: string | null, status: "done" | "partly" | "not_yet" | null, note: string}} Action */
/** @typedef {{version: number, redefinition: string | null, actions: Action[]}} Outcome */
/** @typedef {{id: string, text: string, shared: boolean, evaluation: string}} Question */
/** @typedef {{id: string, version: number, name: string, language: "nl" | "en", method: string, cadence_weeks: number, minutes: number, members: GroupMember[]}} GroupInfo */
/** @typedef {{group: GroupInfo, me: GroupMember, plan: Plan, outcomes: Record<string, Outcome>, questions: {version: number, by_member: Record<string, Question[]>}, page: string}} GroupView */
/** @typedef {{previous: null | {meeting_id: string, starts: string, presenter: string | null, outcome: Outcome | null}}} Lookback */
/** @typedef {{member_id: string, key: string, name: string}} Identity */

export class Conflict extends Error {
  /** @param {any} current */
  constructor(current) {
    super("conflict");
    this.current = current;
  }
}

/** @param {string} groupId */
function storageKey(groupId) {
  return `iv.group.${groupId}`;
}

/**
 * The member's identity in a group, if this browser holds one.
 * @param {string} groupId
 * @returns {Identity | null}
 */
export function identity(groupId) {
  try {
    const value = JSON.parse(localStorage.getItem(storageKey(groupId)) ?? "null");
    return value && typeof value.key === "string" ? value : null;
  } catch {
    return null;
  }
}

/**
 * @param {string} groupId
 * @param {Identity} value
 */
export function remember(groupId, value) {
  localStorage.setItem(storageKey(groupId), JSON.stringify(value));
}

/**
 * On a group meeting's board (#g=<group>&meeting=<id>): the identity this browser keeps
 * for the group, so the member enters with no name to type.
 * @param {string} hash location.hash
 */
export function meetingMember(hash) {
  const group = new URLSearchParams(hash.slice(1)).get("g");
  return group ? identity(group) : null;
}

/** @param {string} groupId */
export function forget(groupId) {
  localStorage.removeItem(storageKey(groupId));
  localStorage.removeItem(`${storageKey(groupId)}.invite`);
}

/**
 * @param {string} method
 * @param {string} path
 * @param {string | null} key
 * @param {any} [body]
 */
async function call(method, path, key, body) {
  /** @type {Record<string, string>} */
  const headers = {};
  if (key) headers.authorization = `Bearer ${key}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (response.status === 409) {
    const answer = await response.json().catch(() => ({}));
    if (answer.code === "stale_version") throw new Conflict(answer.current);
    throw new HttpError(409, answer.code ?? "http_409");
  }
  if (!response.ok) {
    const answer = await response.json().catch(() => ({}));
    throw new HttpError(response.status, answer.code ?? answer.error ?? `http_${response.status}`);
  }
  return response.status === 204 ? null : response;
}

/**
 * @param {{name: string, your_name: string, language: string, method: string, cadence_weeks: number, minutes: number}} spec
 * @returns {Promise<{group_id: string, member_id: string, member_key: string, member_link: string, invite_link: string}>}
 */
export async function createGroup(spec) {
  const response = await call("POST", "/api/groups", null, spec);
  return /** @type {Response} */ (response).json();
}

/**
 * @param {string} groupId
 * @param {string} invite
 * @param {string} name
 * @returns {Promise<{member_id: string, member_key: string, member_link: string}>}
 */
export async function joinGroup(groupId, invite, name) {
  const response = await call("POST", `/api/groups/${groupId}/join`, null, { invite, name });
  return /** @type {Response} */ (response).json();
}

/** A client for one member of one group. */
export class GroupClient {
  /**
   * @param {string} groupId
   * @param {string} key
   */
  constructor(groupId, key) {
    this.base = `/api/groups/${groupId}`;
    this.key = key;
  }

  /**
   * @param {string} method
   * @param {string} path
   * @param {any} [body]
   * @returns {Promise<any>}
   */
  async json(method, path, body) {
    const response = await call(method, this.base + path, this.key, body);
    return response ? response.json() : null;
  }

  /** @returns {Promise<GroupView>} */
  view() { return this.json("GET", ""); }

  /** @param {string} meetingId @returns {Promise<Lookback>} */
  lookback(meetingId) { return this.json("GET", `/meetings/${meetingId}/lookback`); }

  /** @param {number} version @param {string} start @param {number} count @param {number} weeks @returns {Promise<Plan>} */
  addSeries(version, start, count, weeks) { return this.json("POST", "/plan/series", { version, start, count, weeks }); }

  /** @param {string} meetingId @param {Record<string, any>} change @returns {Promise<Plan>} */
  editMeeting(meetingId, change) { return this.json("PATCH", `/plan/meetings/${meetingId}`, change); }

  /** @param {string} meetingId @param {number} version @returns {Promise<Plan>} */
  removeMeeting(meetingId, version) { return this.json("DELETE", `/plan/meetings/${meetingId}?version=${version}`); }

  /** @param {string} meetingId @returns {Promise<{session_id: string, board: string}>} */
  start(meetingId) { return this.json("POST", `/meetings/${meetingId}/start`); }

  /** @param {string} meetingId @param {string} actionId @param {Record<string, any>} note @returns {Promise<Outcome>} */
  followUp(meetingId, actionId, note) { return this.json("PUT", `/meetings/${meetingId}/actions/${actionId}`, note); }

  /** @param {Record<string, any>} question */
  addQuestion(question) { return this.json("POST", "/questions", question); }

  /** @param {string} questionId @param {Record<string, any>} change */
  editQuestion(questionId, change) { return this.json("PATCH", `/questions/${questionId}`, change); }

  /** @param {string} questionId @param {number} version */
  removeQuestion(questionId, version) { return this.json("DELETE", `/questions/${questionId}?version=${version}`); }

  /** @returns {Promise<{invite_link: string}>} */
  rotateInvite() { return this.json("POST", "/invite"); }

  /** @param {string} memberId */
  removeMember(memberId) { return this.json("DELETE", `/members/${memberId}`); }

  /** @param {string} memberId */
  handOn(memberId) { return this.json("POST", "/manager", { member_id: memberId }); }

  deleteGroup() { return this.json("DELETE", ""); }

  /** @param {Record<string, any>} change @returns {Promise<GroupInfo>} */
  editSettings(change) { return this.json("PATCH", "/settings", change); }

  /**
   * A calendar file (one meeting or the whole plan) as a blob.
   * @param {string | null} meetingId
   */
  async calendar(meetingId) {
    const path = meetingId ? `/meetings/${meetingId}/calendar.ics` : "/calendar.ics";
    return fileOf(/** @type {Response} */ (await call("GET", this.base + path, this.key)));
  }

  /**
   * My own yearly overview of attendance (PDF).
   * @param {string} memberId
   * @param {number} year
   */
  async overview(memberId, year) {
    return fileOf(/** @type {Response} */ (await call("GET", `${this.base}/members/${memberId}/overview/${year}`, this.key)));
  }

  /**
   * An export of a closed meeting, with the member key.
   * @param {string} sessionId
   * @param {string} format
   */
  async exportFile(sessionId, format) {
    return fileOf(/** @type {Response} */ (await call("GET", `/api/sessions/${sessionId}/export/${format}`, this.key)));
  }
}

/**
 * A downloaded file and the name the server gives it.
 * @param {Response} response
 * @returns {Promise<{blob: Blob, filename: string}>}
 */
async function fileOf(response) {
  return { blob: await response.blob(), filename: filenameOf(response, "intervisiebord") };
}

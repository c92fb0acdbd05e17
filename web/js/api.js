// HTTP calls of the client. Secrets travel in headers or bodies, never in URLs.

/** @typedef {{id: string, name: import("../types/protocol").Localized, summary: import("../types/protocol").Localized, steps: number, minutes: number}} MethodSummary */
/** @typedef {{session_id: string, facilitator_link: string, invite_link: string}} SessionCreated */

export class HttpError extends Error {
  /**
   * @param {number} status
   * @param {string} code
   */
  constructor(status, code) {
    super(code);
    this.status = status;
    this.code = code;
  }
}

/**
 * @param {Response} response
 * @returns {Promise<HttpError>}
 */
async function failure(response) {
  let code = `http_${response.status}`;
  try {
    const body = await response.json();
    code = body.code ?? code;
  } catch {
    // not JSON: keep the status code
  }
  return new HttpError(response.status, code);
}

/** @returns {Promise<MethodSummary[]>} */
export async function listMethods() {
  const response = await fetch("/api/methods");
  if (!response.ok) throw await failure(response);
  return response.json();
}

/**
 * A new session with a bundled method, or with a saved one (`saved_method`; the
 * browser's method key goes along so its own unpublished methods may be used).
 * @param {{title: string, method?: string, saved_method?: string, language: string, agreement?: boolean | string}} spec
 * @returns {Promise<SessionCreated>}
 */
export async function createSession(spec) {
  /** @type {Record<string, string>} */
  const headers = { "content-type": "application/json" };
  if (spec.saved_method) headers["x-method-key"] = methodKey();
  const response = await fetch("/api/sessions", {
    method: "POST",
    headers,
    body: JSON.stringify(spec),
  });
  if (!response.ok) throw await failure(response);
  return response.json();
}

/**
 * Fetch an export of a closed session; resolves to the file and its name.
 * @param {string} sessionId
 * @param {string} format
 * @param {string} token
 * @returns {Promise<{blob: Blob, filename: string}>}
 */
export async function fetchExport(sessionId, format, token) {
  const response = await fetch(`/api/sessions/${sessionId}/export/${format}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  if (!response.ok) throw await failure(response);
  return { blob: await response.blob(), filename: filenameOf(response, `intervisiebord.${format}`) };
}

/**
 * The name the server gives a download: the UTF-8 name (`filename*`) when there is
 * one, as it keeps the title as typed; else the plain ASCII one; else `fallback`.
 * @param {Response} response
 * @param {string} fallback
 */
export function filenameOf(response, fallback) {
  const disposition = response.headers.get("content-disposition") ?? "";
  const star = /filename\*=UTF-8''([^;]+)/i.exec(disposition);
  const plain = /filename="?([^";]+)"?/i.exec(disposition);
  return star ? decodeURIComponent(star[1]) : plain ? plain[1] : fallback;
}

// -- the method editor ----------------------------------------------------------------

/** @typedef {{path: string, code: string, message: string}} Problem */
/**
 * @typedef {MethodSummary & {saved_id: string, version: number, published: boolean, mine: boolean}} SavedSummary
 * @typedef {{may_publish: boolean, mine: SavedSummary[], published: SavedSummary[]}} SavedList
 * @typedef {{saved_id: string, version: number, published: boolean, mine: boolean, method: import("../types/protocol").Method}} SavedMethod
 * @typedef {{participant_id: string, board: import("../types/protocol").Board}} PreviewView
 * @typedef {{method: import("../types/protocol").Method, step: number, views: Record<"facilitator" | "presenter" | "participant", PreviewView>}} Preview
 */

const METHOD_KEY = "iv.method-key";

/** A method the server's loader refused; `problems` name the fields. */
export class MethodInvalid extends Error {
  /**
   * @param {Problem[]} problems
   * @param {Record<string, any> | null} data an imported file's data as read, if it was TOML
   */
  constructor(problems, data = null) {
    super("invalid_method");
    this.problems = problems;
    this.data = data;
  }
}

/**
 * This browser's secret key for its own methods (kept in localStorage; the server
 * keeps only its hash). Made on first use.
 */
export function methodKey() {
  let key = localStorage.getItem(METHOD_KEY);
  if (!key || !/^[A-Za-z0-9_-]{32,128}$/.test(key)) {
    const bytes = crypto.getRandomValues(new Uint8Array(32));
    key = btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    localStorage.setItem(METHOD_KEY, key);
  }
  return key;
}

/**
 * A JSON call of the editor's endpoints, with the browser's method key.
 * @param {string} method
 * @param {string} path
 * @param {unknown} [body]
 * @returns {Promise<Response>}
 */
async function methodCall(method, path, body) {
  /** @type {Record<string, string>} */
  const headers = { "x-method-key": methodKey() };
  if (body !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (response.status === 422) {
    const answer = await response.json();
    throw new MethodInvalid(answer.problems ?? [], answer.data ?? null);
  }
  if (!response.ok) throw await failure(response);
  return response;
}

/**
 * Check a method (data, or the text of a TOML file) with the server's loader.
 * @param {{method?: unknown, toml?: string, language: string}} body
 * @returns {Promise<import("../types/protocol").Method>}
 */
export async function checkMethod(body) {
  return (await (await methodCall("POST", "/api/methods/check", body)).json()).method;
}

/**
 * @param {unknown} method
 * @param {number} step index into the method's own steps
 * @param {string} language
 * @returns {Promise<Preview>}
 */
export async function previewMethod(method, step, language) {
  return (await methodCall("POST", "/api/methods/preview", { method, step, language })).json();
}

/**
 * The method as the text of a method file.
 * @param {unknown} method
 * @param {string} language
 */
export async function exportMethod(method, language) {
  return (await methodCall("POST", "/api/methods/export", { method, language })).text();
}

/** @param {string} id a bundled or installed method */
export async function exportInstalled(id) {
  return (await methodCall("GET", `/api/methods/${encodeURIComponent(id)}/export`)).text();
}

/** @returns {Promise<SavedList>} */
export async function listSaved() {
  return (await methodCall("GET", "/api/saved-methods")).json();
}

/**
 * @param {string} savedId
 * @returns {Promise<SavedMethod>}
 */
export async function getSaved(savedId) {
  return (await methodCall("GET", `/api/saved-methods/${encodeURIComponent(savedId)}`)).json();
}

/**
 * Save a new method, or a new version of `savedId` read at `version`.
 * @param {unknown} method
 * @param {string} language
 * @param {string | null} savedId
 * @param {number} version
 * @returns {Promise<{saved_id: string, version: number}>}
 */
export async function saveMethod(method, language, savedId, version) {
  if (savedId === null) return (await methodCall("POST", "/api/saved-methods", { method, language })).json();
  return (await methodCall("PUT", `/api/saved-methods/${encodeURIComponent(savedId)}`, { method, language, version })).json();
}

/**
 * @param {string} savedId
 * @param {boolean} published
 * @returns {Promise<{saved_id: string, version: number, published: boolean}>}
 */
export async function publishMethod(savedId, published) {
  return (await methodCall("POST", `/api/saved-methods/${encodeURIComponent(savedId)}/publish`, { published })).json();
}

/** @param {string} savedId */
export async function deleteSaved(savedId) {
  await methodCall("DELETE", `/api/saved-methods/${encodeURIComponent(savedId)}`);
}

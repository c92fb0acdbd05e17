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
 * @param {{title: string, method: string, language: string}} spec
 * @returns {Promise<SessionCreated>}
 */
export async function createSession(spec) {
  const response = await fetch("/api/sessions", {
    method: "POST",
    headers: { "content-type": "application/json" },
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
  const disposition = response.headers.get("content-disposition") ?? "";
  const match = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition);
  const filename = match ? decodeURIComponent(match[1]) : `intervisiebord.${format}`;
  return { blob: await response.blob(), filename };
}

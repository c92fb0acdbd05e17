// Secrets of this browser's own items: one random secret per item, sent with the
// add and with the author's later edits and deletes. For an anonymous item the server
// keeps only a hash of it, with nothing that says whose it is, so this secret is the
// author's only proof: it lives in localStorage (per session and link) and survives a
// reload; it never leaves this browser except in the author's own ops.

import { tagOf } from "./dom.js";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
/** 32 characters of 64: 192 bits. */
const SECRET_LENGTH = 32;

/** @returns {string} */
function newSecret() {
  const bytes = new Uint8Array(SECRET_LENGTH);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => ALPHABET[b % 64]).join("");
}

export class ItemSecrets {
  /**
   * @param {string} sessionId
   * @param {string} token
   */
  constructor(sessionId, token) {
    this.storageKey = `iv.secrets.${sessionId}.${tagOf(token)}`;
    /** @type {Record<string, string>} */
    this.secrets = {};
    try {
      const value = JSON.parse(localStorage.getItem(this.storageKey) ?? "{}");
      if (value && typeof value === "object") this.secrets = value;
    } catch {
      // a broken entry: own anonymous items can then only be changed by the facilitator
    }
  }

  /**
   * A new secret for the item `itemId`, kept before the op is sent.
   * @param {string} itemId
   */
  create(itemId) {
    const secret = newSecret();
    this.secrets[itemId] = secret;
    this.save();
    return secret;
  }

  /** @param {string} itemId */
  get(itemId) {
    return this.secrets[itemId];
  }

  /** @param {string} itemId */
  forget(itemId) {
    if (!(itemId in this.secrets)) return;
    delete this.secrets[itemId];
    this.save();
  }

  save() {
    localStorage.setItem(this.storageKey, JSON.stringify(this.secrets));
  }
}

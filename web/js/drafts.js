// Unsent text of the add forms, kept per field (the form's data-key) in localStorage
// per session and link: a step change that takes the field away, or a reload, loses
// nothing; the text comes back when the field does, and goes once it was sent.

import { tagOf } from "./dom.js";

export class Drafts {
  /**
   * @param {string} sessionId
   * @param {string} token
   */
  constructor(sessionId, token) {
    this.key = `iv.drafts.${sessionId}.${tagOf(token)}`;
  }

  /** @returns {Record<string, string>} */
  all() {
    try {
      const value = JSON.parse(localStorage.getItem(this.key) ?? "{}");
      return value && typeof value === "object" ? value : {};
    } catch {
      return {};
    }
  }

  /**
   * @param {string} field the add form's data-key
   * @param {string} text "" forgets the draft
   */
  set(field, text) {
    const all = this.all();
    if (text.trim()) all[field] = text;
    else delete all[field];
    localStorage.setItem(this.key, JSON.stringify(all));
  }

  /**
   * Put the drafts back into the empty add fields under `root`.
   * @param {Element} root
   */
  restore(root) {
    const all = this.all();
    for (const form of root.querySelectorAll("form.add-form")) {
      const area = form.querySelector("textarea");
      const text = all[form.getAttribute("data-key") ?? ""];
      if (area && text && !area.value && !area.disabled) area.value = text;
    }
  }
}

// Tiny DOM helpers: `h` builds elements, `morph` updates a live tree in place from a
// freshly built one. Elements with a `data-key` keep their identity across renders, so
// focus, caret and typed text survive updates from the server.

/** @typedef {string | number | boolean | null | undefined | Record<string, string>} AttrValue */
/** @typedef {Node | string | number | null | undefined | false} Child */
/** @typedef {Child | Child[]} Children */

const STYLE = Symbol("style");

/**
 * Create an element. Attributes: `true` sets an empty attribute, `false`/null/undefined
 * leave it out; `style` takes an object applied through the CSSOM (allowed by the
 * Content-Security-Policy, unlike a style attribute).
 * @param {string} tag
 * @param {Record<string, AttrValue>} [attrs]
 * @param {...Children} children
 * @returns {HTMLElement}
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (name === "style" && value && typeof value === "object") {
      /** @type {any} */ (el)[STYLE] = value;
      applyStyle(el, value);
    } else if (value === true) {
      el.setAttribute(name, "");
    } else if (value !== false && value !== null && value !== undefined && typeof value !== "object") {
      el.setAttribute(name, String(value));
    }
  }
  append(el, children);
  return el;
}

/**
 * @param {Element} el
 * @param {Children[]} children
 */
function append(el, children) {
  for (const child of children.flat(3)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(typeof child === "number" ? String(child) : child);
  }
}

/**
 * @param {HTMLElement} el
 * @param {Record<string, string>} style
 */
function applyStyle(el, style) {
  for (const [prop, value] of Object.entries(style)) el.style.setProperty(prop, value);
}

/**
 * Make `target`'s children equal to `source`'s, reusing keyed and matching nodes.
 * @param {Element} target
 * @param {Element} source
 */
export function morphChildren(target, source) {
  /** @type {Map<string, Element>} */
  const keyed = new Map();
  for (const child of Array.from(target.children)) {
    const key = child.getAttribute("data-key");
    if (key !== null) keyed.set(key, child);
  }
  let cursor = target.firstChild;
  for (const next of Array.from(source.childNodes)) {
    /** @type {ChildNode | null} */
    let match = null;
    if (next instanceof Element && next.hasAttribute("data-key")) {
      const old = keyed.get(next.getAttribute("data-key") ?? "");
      if (old && old.tagName === next.tagName) {
        match = old;
        keyed.delete(next.getAttribute("data-key") ?? "");
      }
    } else if (cursor && compatible(cursor, next)) {
      match = cursor;
    }
    if (match === null) {
      target.insertBefore(next, cursor);
      continue;
    }
    // Drop the old nodes before a keyed match rather than moving the match: moving
    // a node that has the focus would blur it.
    while (cursor && cursor !== match && !(cursor instanceof Element && keyed.has(cursor.getAttribute("data-key") ?? "\u0000"))) {
      const after = cursor.nextSibling;
      cursor.remove();
      cursor = after;
    }
    if (match === cursor) cursor = cursor.nextSibling;
    else target.insertBefore(match, cursor);
    morphNode(match, next);
  }
  while (cursor) {
    const after = cursor.nextSibling;
    cursor.remove();
    cursor = after;
  }
}

/**
 * @param {Node} old
 * @param {Node} next
 */
function compatible(old, next) {
  if (old.nodeType !== next.nodeType) return false;
  if (old instanceof Element && next instanceof Element) {
    return old.tagName === next.tagName && !old.hasAttribute("data-key");
  }
  return true;
}

/**
 * @param {Node} old
 * @param {Node} next
 */
function morphNode(old, next) {
  if (!(old instanceof HTMLElement) || !(next instanceof HTMLElement)) {
    if (old.nodeValue !== next.nodeValue) old.nodeValue = next.nodeValue;
    return;
  }
  // The user opens and closes <details>; a render does not undo that.
  const own = (/** @type {string} */ name) => name === "style" || (name === "open" && old instanceof HTMLDetailsElement);
  for (const attr of Array.from(old.attributes)) {
    if (!own(attr.name) && !next.hasAttribute(attr.name)) old.removeAttribute(attr.name);
  }
  for (const attr of Array.from(next.attributes)) {
    if (!own(attr.name) && old.getAttribute(attr.name) !== attr.value) old.setAttribute(attr.name, attr.value);
  }
  const style = /** @type {any} */ (next)[STYLE];
  if (style) applyStyle(old, style);
  if (old instanceof HTMLInputElement && next instanceof HTMLInputElement) {
    if (old.type === "checkbox" || old.type === "radio") old.checked = next.checked;
  }
  if (old.hasAttribute("data-keep")) return;
  morphChildren(old, next);
}

/**
 * A random id of `length` characters from [a-z0-9].
 * @param {number} length
 */
export function randomId(length) {
  const bytes = new Uint8Array(length);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => (b % 36).toString(36)).join("");
}

/**
 * A short, non-reversible tag of a secret (32-bit FNV-1a), to tell links apart in
 * storage keys without writing any part of the secret itself.
 * @param {string} secret
 */
export function tagOf(secret) {
  let hash = 0x811c9dc5;
  for (let i = 0; i < secret.length; i += 1) {
    hash ^= secret.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, "0");
}

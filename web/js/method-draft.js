// The method being edited, as plain data in the shape of a method file. Pure helpers:
// new parts, reading and writing at a field path, moving steps. No rule lives here:
// whether the data is a valid method is answered by the server's loader only.

/** @typedef {import("../types/protocol").Localized} Localized */
/**
 * Loosely typed on purpose: the draft may hold what the loader will refuse (an empty
 * title, an unknown role), so the editor can show the loader's message at that field.
 * @typedef {Record<string, any>} Draft
 */

export const KINDS = /** @type {const} */ ([
  "list", "questions", "redefinitions", "notes", "success_factors", "hourglass", "ideas", "tips", "cases", "evaluation",
]);
export const RIGHTS = /** @type {const} */ (["add", "rate", "circle", "choose", "vote"]);
export const ROLES = /** @type {const} */ (["facilitator", "presenter", "participant"]);
export const FILTERS = /** @type {const} */ (["warm", "neutral", "cold", "chosen", "circled"]);

/** @returns {Localized} */
function blank() {
  return { nl: "", en: "" };
}

/**
 * An id not yet in `taken`: `base`, or `base_2`, `base_3`, ...
 * @param {string} base
 * @param {Iterable<string>} taken
 */
export function freeId(base, taken) {
  const used = new Set(taken);
  if (!used.has(base)) return base;
  for (let n = 2; ; n += 1) if (!used.has(`${base}_${n}`)) return `${base}_${n}`;
}

/** @returns {Draft} */
export function emptyMethod() {
  return {
    id: "mijn_methode", name: blank(), summary: blank(), vote_budget: 3, with_frame: true,
    sections: [], steps: [emptyStep([])],
  };
}

/**
 * @param {Draft[]} steps the steps already there (for a free id)
 * @returns {Draft}
 */
export function emptyStep(steps) {
  return {
    id: freeId(`stap_${steps.length + 1}`, steps.map((s) => s.id)),
    title: blank(), instruction: blank(), minutes: 10, sections: [],
  };
}

/**
 * @param {Draft[]} sections
 * @returns {Draft}
 */
export function emptySection(sections) {
  return { id: freeId("onderdeel", sections.map((s) => s.id)), kind: "list", title: blank(), add: [...ROLES] };
}

/**
 * @param {Draft[]} lanes
 * @returns {Draft}
 */
export function emptyLane(lanes) {
  return { id: freeId("kolom", lanes.map((l) => l.id)), title: blank() };
}

/**
 * A section shown in a step, read-only until rights are given.
 * @param {string} section
 * @returns {Draft}
 */
export function emptyStepSection(section) {
  return { section, add: [], rate: [], circle: [], choose: [], vote: [], hidden: false, hide_ratings: false, filter: [] };
}

/**
 * A copy to edit: another id and name, the same steps and rights.
 * @param {Draft} method
 * @returns {Draft}
 */
export function copyOf(method) {
  const copy = structuredClone(method);
  copy.id = `${String(method.id).slice(0, 34)}_kopie`;
  copy.name = { nl: `${method.name?.nl ?? ""} (kopie)`, en: `${method.name?.en ?? ""} (copy)` };
  return copy;
}

/**
 * A path like `$.steps[3].sections[0].add[1]` as its keys.
 * @param {string} path
 * @returns {(string | number)[]}
 */
export function parsePath(path) {
  /** @type {(string | number)[]} */
  const keys = [];
  for (const match of path.matchAll(/\.([A-Za-z_][\w]*)|\[(\d+)\]/g)) {
    keys.push(match[1] !== undefined ? match[1] : Number(match[2]));
  }
  return keys;
}

/**
 * The value at `path` in `draft`, or undefined.
 * @param {Draft} draft
 * @param {string} path
 * @returns {any}
 */
export function getAt(draft, path) {
  /** @type {any} */
  let node = draft;
  for (const key of parsePath(path)) {
    if (node === null || typeof node !== "object") return undefined;
    node = node[key];
  }
  return node;
}

/**
 * Set the value at `path`, making objects on the way.
 * @param {Draft} draft
 * @param {string} path
 * @param {unknown} value
 */
export function setAt(draft, path, value) {
  const keys = parsePath(path);
  /** @type {any} */
  let node = draft;
  keys.slice(0, -1).forEach((key, i) => {
    if (node[key] === null || typeof node[key] !== "object") node[key] = typeof keys[i + 1] === "number" ? [] : {};
    node = node[key];
  });
  node[keys[keys.length - 1]] = value;
}

/**
 * Move the entry at `from` to position `to` (both clamped).
 * @template T
 * @param {T[]} list
 * @param {number} from
 * @param {number} to
 */
export function move(list, from, to) {
  const target = Math.max(0, Math.min(list.length - 1, to));
  if (from === target || from < 0 || from >= list.length) return false;
  const [entry] = list.splice(from, 1);
  list.splice(target, 0, entry);
  return true;
}

/**
 * The parent paths of `path`, most specific first: `$.a[1].b`, `$.a[1]`, `$.a`, `$`.
 * @param {string} path
 */
export function ancestors(path) {
  const out = [path];
  let rest = path;
  while (rest !== "$") {
    const cut = Math.max(rest.lastIndexOf("."), rest.lastIndexOf("["));
    if (cut <= 0) break;
    rest = rest.slice(0, cut);
    out.push(rest);
  }
  if (out[out.length - 1] !== "$") out.push("$");
  return out;
}

/**
 * A change of the draft's structure asked for by an editor action: add or remove a
 * section, lane, step or shown section. Returns the part added (to unfold it), or
 * false for an action that is not one of these or has nothing to act on.
 * @param {Draft} draft
 * @param {string} action
 * @param {{index: number, section: number, step: number, shown: string}} at
 * @returns {{added: object | null} | false}
 */
export function editDraft(draft, action, at) {
  if (!Array.isArray(draft.steps)) draft.steps = [];
  if (!Array.isArray(draft.sections)) draft.sections = [];
  const { steps, sections } = draft;
  /** @param {Draft} part @param {string} key */
  const list = (part, key) => (Array.isArray(part[key]) ? part[key] : (part[key] = []));
  switch (action) {
    case "add-section": {
      const section = emptySection(sections);
      sections.push(section);
      return { added: section };
    }
    case "remove-section": sections.splice(at.index, 1); return { added: null };
    case "add-lane": {
      const lanes = list(sections[at.section], "lanes");
      lanes.push(emptyLane(lanes));
      return { added: null };
    }
    case "remove-lane": list(sections[at.section], "lanes").splice(at.index, 1); return { added: null };
    case "add-step": {
      const step = emptyStep(steps);
      steps.push(step);
      return { added: step };
    }
    case "remove-step": steps.splice(at.index, 1); return { added: null };
    case "add-step-section":
      if (!at.shown) return false;
      list(steps[at.step], "sections").push(emptyStepSection(at.shown));
      return { added: null };
    case "remove-step-section": list(steps[at.step], "sections").splice(at.index, 1); return { added: null };
    default: return false;
  }
}

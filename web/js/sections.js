// Rendering of a board section by its kind: lists (questions, re-definitions, tips,
// cases, evaluation), lanes and sheets (success factors, check-out), the hourglass,
// ideas with their alternatives, and the sticky-note canvas. Pure functions from the
// model to elements; each item is drawn by section-items.js, and every data-action
// they carry has its entry in the action table (board-actions.js).

import { h } from "./dom.js";
import { loc, t } from "./i18n.js";
import { isSpotlit, spotlightButton } from "./facilitation.js";
import { passesFilter } from "./model.js";
import { COLORS, itemCard, shorten } from "./section-items.js";

/** @typedef {import("./model.js").BoardModel} BoardModel */
/** @typedef {import("./model.js").ViewItem} ViewItem */
/** @typedef {import("../types/protocol").SectionDef} SectionDef */
/** @typedef {import("../types/protocol").StepSection} StepSection */
/** @typedef {import("../types/protocol").SectionState} SectionState */

const NOTE_W = 192;
const NOTE_H = 128;
const CANVAS_MIN_H = 360;
/** Room below the lowest note for its actions when it has the focus. */
const NOTE_ACTIONS_H = 120;

/**
 * @typedef {object} Ctx
 * @property {BoardModel} model
 * @property {Map<string, ViewItem>} items all items as shown
 * @property {string | null} editing id of the item being edited
 * @property {{id: string, x: number, y: number} | null} drag the note being dragged
 * @property {string | null} [moving] the note being placed by a click or tap
 * @property {boolean} readOnly the closed board
 * @property {Map<string, import("../types/protocol").Classified>} [hints] the server's
 *   reading of the question being written, per add form (where the step asks for open
 *   questions)
 */

/**
 * One section of the current step (or of the closed board).
 * @param {SectionDef} def
 * @param {Ctx} ctx
 */
export function renderSection(def, ctx) {
  const { model } = ctx;
  const state = model.sections.get(def.id);
  const config = ctx.readOnly ? undefined : model.stepSection(def.id);
  const items = [...ctx.items.values()]
    .filter((i) => i.section === def.id && passesFilter(i, config, ctx.items))
    .sort((a, b) => a.seq - b.seq);
  // Once the votes are out, the cases stand in the order of their votes.
  if (def.kind === "cases" && state && !state.sealed) items.sort((a, b) => b.votes - a.votes || a.seq - b.seq);
  const headingId = `section-${def.id}-title`;
  const wide = def.kind === "notes" || def.kind === "success_factors" || def.kind === "hourglass" || (def.lanes ?? []).length > 1;
  return h(
    "section",
    {
      class: `section kind-${def.kind}${wide ? " wide" : ""}${state?.locked && !ctx.readOnly ? " is-locked" : ""}${!ctx.readOnly && isSpotlit(model, def.id, null) ? " is-spotlit" : ""}`,
      "data-key": `section-${def.id}`,
      "data-section": def.id,
      "aria-labelledby": headingId,
    },
    h(
      "header",
      { class: "section-head" },
      h("h3", { id: headingId }, loc(def.title)),
      badges(def, state, config, ctx),
      ctx.readOnly ? null : sectionControls(def, state, ctx),
    ),
    sectionBody(def, items, ctx),
  );
}

/**
 * @param {SectionDef} def
 * @param {SectionState | undefined} state
 * @param {StepSection | undefined} config
 * @param {Ctx} ctx
 */
function badges(def, state, config, ctx) {
  const { model } = ctx;
  /** @type {HTMLElement[]} */
  const list = [];
  if (!ctx.readOnly && state) {
    if (state.locked) {
      list.push(h("span", { class: "badge badge-locked" }, t(state.override === true ? "section.locked_by_facilitator" : "section.read_only")));
    } else {
      const writers = model.rolesWith("add", def.id);
      if (writers.length) {
        list.push(h("span", { class: "badge badge-open" }, t("section.writers", { roles: writers.map((r) => t(`role.plural.${r}`)).join(", ") })));
      }
    }
    if (state.hidden) list.push(h("span", { class: "badge badge-hidden" }, t("section.hidden", { count: state.hidden_count ?? 0 })));
    if (state.sealed) list.push(h("span", { class: "badge badge-hidden" }, t("section.sealed")));
    if (state.revealed) list.push(h("span", { class: "badge" }, t("section.revealed")));
  }
  for (const f of config?.filter ?? []) list.push(h("span", { class: "badge" }, t(`filter.${f}`)));
  return list.length ? h("div", { class: "badges" }, list) : null;
}

/**
 * The facilitator's lock and reveal controls of a section.
 * @param {SectionDef} def
 * @param {SectionState | undefined} state
 * @param {Ctx} ctx
 */
function sectionControls(def, state, ctx) {
  if (!ctx.model.isFacilitator || !state) return null;
  const title = loc(def.title);
  return h(
    "div",
    { class: "section-controls" },
    spotlightButton(ctx.model, { section: def.id, label: title }),
    h(
      "button",
      {
        type: "button", class: "btn btn-small", "data-action": "lock", "data-section": def.id,
        "data-locked": state.locked ? "false" : "true", "aria-pressed": state.locked ? "true" : "false",
        "aria-label": t(state.locked ? "control.unlock_named" : "control.lock_named", { section: title }),
      },
      t(state.locked ? "control.unlock" : "control.lock"),
    ),
    state.override !== null && state.override !== undefined
      ? h("button", { type: "button", class: "btn btn-small btn-quiet", "data-action": "lock", "data-section": def.id, "data-locked": "null", "aria-label": t("control.lock_default_named", { section: title }) }, t("control.lock_default"))
      : null,
    (state.hidden || state.sealed) && !state.revealed
      ? h("button", { type: "button", class: "btn btn-small", "data-action": "reveal", "data-section": def.id, "aria-label": t("control.reveal_named", { section: title }) }, t("control.reveal"))
      : null,
  );
}

/**
 * @param {SectionDef} def
 * @param {ViewItem[]} items
 * @param {Ctx} ctx
 */
function sectionBody(def, items, ctx) {
  const lanes = def.lanes ?? [];
  switch (def.kind) {
    case "notes":
      return canvas(def, items, ctx);
    case "ideas":
      return ideas(def, items, ctx);
    case "success_factors": {
      const sheets = Array.from({ length: def.sheets ?? 1 }, (_, i) => i + 1);
      return h("div", { class: "sheets" }, sheets.map((sheet) => h(
        "div", { class: "sheet", "data-key": `sheet-${sheet}` },
        sheets.length > 1 ? h("h4", { class: "sheet-title" }, t("section.sheet", { n: sheet })) : null,
        laneGrid(def, items.filter((i) => i.sheet === sheet), ctx, sheet),
      )));
    }
    case "hourglass":
      return h("div", { class: "hourglass" }, lanes.map((lane, index) => h(
        "div", { class: `glass-band band-${index}`, "data-key": `lane-${lane.id}` },
        h("h4", { class: "lane-title" }, loc(lane.title)),
        itemList(def, items.filter((i) => i.lane === lane.id), ctx),
        addForm(def, ctx, { lane: lane.id, label: loc(lane.title) }),
      )));
    default: {
      if (lanes.length) return laneGrid(def, items, ctx, 1);
      const { model } = ctx;
      const voting = !ctx.readOnly && model.may("vote", def.id);
      return h("div", { class: "section-body" },
        voting ? h("p", { class: "hint votes-left" }, t("vote.left", { n: model.votesLeft(def.id), total: model.method.vote_budget ?? 3 })) : null,
        itemList(def, items, ctx), addForm(def, ctx, {}));
    }
  }
}

/**
 * Columns, one per lane, each with its list and add form.
 * @param {SectionDef} def
 * @param {ViewItem[]} items
 * @param {Ctx} ctx
 * @param {number} sheet
 */
function laneGrid(def, items, ctx, sheet) {
  return h("div", { class: "lanes" }, (def.lanes ?? []).map((lane) => h(
    "div", { class: "lane", "data-key": `lane-${lane.id}` },
    h("h4", { class: "lane-title" }, loc(lane.title)),
    itemList(def, items.filter((i) => i.lane === lane.id), ctx),
    addForm(def, ctx, { lane: lane.id, sheet, label: loc(lane.title) }),
  )));
}

/**
 * Ideas; a circled idea shows its alternatives and a form to add one.
 * @param {SectionDef} def
 * @param {ViewItem[]} items
 * @param {Ctx} ctx
 */
function ideas(def, items, ctx) {
  const roots = items.filter((i) => !i.parent);
  return h(
    "div", { class: "section-body" },
    h("ul", { class: "items", "data-list": def.id }, roots.map((idea) => {
      const children = items.filter((i) => i.parent === idea.id);
      const extra = idea.circled || children.length
        ? h("div", { class: "alternatives" },
          h("p", { class: "alternatives-title" }, t("ideas.alternatives")),
          itemList(def, children, ctx),
          idea.circled ? addForm(def, ctx, { parent: idea.id, label: t("ideas.add_alternative_for", { idea: idea.text }) }) : null)
        : null;
      return itemCard(def, idea, ctx, extra);
    })),
    // While only circled ideas show, a new idea would vanish at once: add alternatives.
    (ctx.model.stepSection(def.id)?.filter ?? []).includes("circled") ? null : addForm(def, ctx, {}),
  );
}

/**
 * @param {SectionDef} def
 * @param {ViewItem[]} items
 * @param {Ctx} ctx
 */
function itemList(def, items, ctx) {
  if (!items.length) return h("p", { class: "empty" }, t("section.empty"));
  return h("ul", { class: "items", "data-list": def.id }, items.map((item) => itemCard(def, item, ctx, null)));
}

/**
 * The sticky-note canvas: notes at their position, dragged by pointer or moved with
 * the arrow keys.
 * @param {SectionDef} def
 * @param {ViewItem[]} items
 * @param {Ctx} ctx
 */
function canvas(def, items, ctx) {
  const bottom = Math.max(CANVAS_MIN_H, ...items.map((i) => i.y + NOTE_H + NOTE_ACTIONS_H));
  const moving = ctx.moving ? items.find((i) => i.id === ctx.moving) : undefined;
  return h(
    "div", { class: "section-body" },
    moving
      ? h("p", { class: "hint placing-hint", role: "status" }, t("notes.placing", { text: shorten(moving.text) }), " ",
        h("button", { type: "button", class: "btn btn-small", "data-action": "move-cancel" }, t("item.cancel")))
      : h("p", { class: "hint", role: "status" }, t(ctx.model.may("move", def.id) ? "notes.hint" : "notes.hint_read")),
    h("div", { class: "canvas-scroll" },
      h("ul", { class: `canvas${moving ? " is-placing" : ""}`, "data-list": def.id, "data-canvas": def.id, style: { height: `${bottom}px` } },
        items.map((item) => {
          const pos = ctx.drag?.id === item.id ? ctx.drag : item;
          return itemCard(def, item, ctx, null, { left: `${Math.max(0, pos.x)}px`, top: `${Math.max(0, pos.y)}px` });
        }))),
    addForm(def, ctx, { notes: true, count: items.length }),
  );
}

/** Room kept below a note: others may see it taller (more buttons for their role). */
const NOTE_GAP = 48;

/**
 * The place nearest to (x, y) where a note of `size` covers none of `others`: it goes
 * down below whatever it would cover (so a moved note never hides under another).
 * @param {{x: number, y: number}} at
 * @param {{x: number, y: number, w: number, h: number}[]} others
 * @param {{w: number, h: number}} size
 */
export function freeSpot(at, others, size) {
  let { x, y } = at;
  for (let tries = 0; tries < others.length + 1; tries += 1) {
    const hit = others.find((o) => x < o.x + o.w && o.x < x + size.w && y < o.y + o.h && o.y < y + size.h);
    if (!hit) break;
    y = hit.y + hit.h + NOTE_GAP;
  }
  return { x: Math.max(0, Math.round(x)), y: Math.max(0, Math.round(y)) };
}

/**
 * Where a new note goes: the next free cell of a grid.
 * @param {number} count
 */
export function notePosition(count) {
  const perRow = 4;
  return { x: 16 + (count % perRow) * (NOTE_W + 16), y: 16 + Math.floor(count / perRow) * (NOTE_H + 16) };
}

/**
 * The form to add an item; disabled (with the reason) while the facilitator locked the
 * section, absent where the viewer's role may not add.
 * @param {SectionDef} def
 * @param {Ctx} ctx
 * @param {{lane?: string, sheet?: number, parent?: string, label?: string, notes?: boolean, count?: number}} where
 */
function addForm(def, ctx, where) {
  if (ctx.readOnly) return null;
  const { model } = ctx;
  const state = model.sections.get(def.id);
  const allowed = model.may("add", def.id);
  const lockedOut = model.may("add_when_unlocked", def.id);
  if (!allowed && !lockedOut) return null;
  const key = `add-${def.id}-${where.lane ?? ""}-${where.sheet ?? ""}-${where.parent ?? ""}`;
  const fieldId = `${key}-text`;
  const hintId = `${key}-hint`;
  const disabled = !allowed;
  const prefix = loc(def.prefix);
  const openQuestions = Boolean(model.stepSection(def.id)?.open_questions) && !where.parent;
  const reading = openQuestions ? ctx.hints?.get(key) : undefined;
  const label = where.parent
    ? where.label ?? ""
    : t(`add.label.${def.kind}`) + (where.label ? ` · ${where.label}` : "");
  return h(
    "form",
    {
      class: `add-form${disabled ? " is-disabled" : ""}`, "data-key": key, "data-action": "add", "data-section": def.id,
      "data-lane": where.lane ?? null, "data-sheet": where.sheet ? String(where.sheet) : null,
      "data-parent": where.parent ?? null, "data-count": where.count !== undefined ? String(where.count) : null,
      "data-open-questions": openQuestions ? "true" : null,
    },
    h("label", { for: fieldId, class: where.lane && !where.parent ? "add-label sr-only" : "add-label" }, label),
    h("textarea", {
      id: fieldId, name: "text", rows: where.lane ? "1" : "2", maxlength: "2000", required: true, disabled,
      placeholder: prefix || (where.parent ? t("ideas.placeholder_alternative") : t(`add.placeholder.${def.kind}`)),
      "aria-describedby": openQuestions ? `${hintId} ${key}-question` : hintId,
      "data-prefix": prefix || null,
    }),
    h("div", { class: "form-row" },
      where.notes
        ? h("label", { class: "color-pick" }, h("span", { class: "sr-only" }, t("item.color")),
          h("select", { name: "color", disabled, "aria-label": t("item.color") }, COLORS.map((c) => h("option", { value: c }, t(`color.${c}`)))))
        : null,
      h("button", { type: "submit", class: "btn btn-primary btn-small", disabled }, t(where.parent ? "ideas.add_alternative" : "add.submit")),
      h("span", { id: hintId, class: disabled || state?.hidden ? "hint" : "hint enter-hint" }, disabled ? t("add.locked") : state?.hidden ? t("add.hidden_hint")
        : [h("span", { class: "keys-only" }, t("add.enter_hint")), h("span", { class: "touch-only" }, t("add.touch_hint"))]),
    ),
    openQuestions ? questionHint(`${key}-question`, reading) : null,
  );
}

/**
 * The gentle flag under a question that reads as closed (the server's verdict). It
 * explains and never blocks: the send button stays as it is.
 * @param {string} id
 * @param {import("../types/protocol").Classified | undefined} reading
 */
function questionHint(id, reading) {
  const closed = reading?.verdict === "closed";
  return h("p", { id, class: `question-hint${closed ? " is-closed" : ""}`, role: "status", "data-question-hint": reading?.verdict ?? "" },
    closed ? [h("strong", {}, t("question.closed_title", { cue: reading?.cue ?? "" })), " ", t("question.why_open")] : null);
}

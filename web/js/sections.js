// Rendering of a board section by its kind: lists (questions, re-definitions, tips,
// cases, evaluation), lanes and sheets (success factors, check-out), the hourglass,
// ideas with their alternatives, and the sticky-note canvas. Pure functions from the
// model to elements; the board element handles the actions (data-action).

import { h } from "./dom.js";
import { loc, t } from "./i18n.js";
import { passesFilter } from "./model.js";

/** @typedef {import("./model.js").BoardModel} BoardModel */
/** @typedef {import("./model.js").ViewItem} ViewItem */
/** @typedef {import("../types/protocol").SectionDef} SectionDef */
/** @typedef {import("../types/protocol").StepSection} StepSection */
/** @typedef {import("../types/protocol").SectionState} SectionState */

export const COLORS = /** @type {const} */ (["yellow", "pink", "blue", "green", "orange", "purple"]);
const RATINGS = /** @type {const} */ (["cold", "warm", "neutral"]);
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
 * @property {boolean} readOnly the closed board
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
      class: `section kind-${def.kind}${wide ? " wide" : ""}${state?.locked && !ctx.readOnly ? " is-locked" : ""}`,
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
      const budget = !ctx.readOnly && model.may("vote", def.id)
        ? model.method.vote_budget ?? 3
        : null;
      const used = items.reduce((sum, i) => sum + (model.myVotes.get(i.id) ?? 0), 0);
      return h("div", { class: "section-body" },
        budget !== null ? h("p", { class: "hint votes-left" }, t("vote.left", { n: Math.max(0, budget - used), total: budget })) : null,
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
  return h(
    "div", { class: "section-body" },
    h("p", { class: "hint" }, t(ctx.model.may("add", def.id) ? "notes.hint" : "notes.hint_read")),
    h("div", { class: "canvas-scroll" },
      h("ul", { class: "canvas", "data-list": def.id, "data-canvas": def.id, style: { height: `${bottom}px` } },
        items.map((item) => {
          const pos = ctx.drag?.id === item.id ? ctx.drag : item;
          return itemCard(def, item, ctx, null, { left: `${Math.max(0, pos.x)}px`, top: `${Math.max(0, pos.y)}px` });
        }))),
    addForm(def, ctx, { notes: true, count: items.length }),
  );
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
 * One item with what the viewer may do with it.
 * @param {SectionDef} def
 * @param {ViewItem} item
 * @param {Ctx} ctx
 * @param {HTMLElement | null} extra
 * @param {Record<string, string>} [style]
 */
function itemCard(def, item, ctx, extra, style) {
  const { model } = ctx;
  const ro = ctx.readOnly;
  const editing = ctx.editing === item.id && !ro;
  const state = model.sections.get(def.id);
  const author = model.board.anonymous && !item.author ? t("item.anonymous") : item.author ? model.nameOf(item.author) : t("item.anonymous");
  const mine = item.author === model.me;
  const classes = ["item", `color-${item.color}`];
  if (def.kind === "notes") classes.push("note");
  if (item.pending) classes.push("is-pending");
  if (item.circled) classes.push("is-circled");
  if (item.chosen) classes.push("is-chosen");
  if (item.rating) classes.push(`rating-${item.rating}`);
  const canEdit = !ro && model.mayEdit(item);
  const canMove = !ro && def.kind === "notes" && model.may("move", def.id);
  /** @type {(HTMLElement | null)[]} */
  const actions = [];
  if (!ro && !editing) {
    if (model.may("rate", def.id)) actions.push(ratingButtons(item));
    if (model.may("choose", def.id)) {
      actions.push(h("button", { type: "button", class: "btn btn-small", "data-action": "choose", "data-item": item.id, "aria-pressed": String(item.chosen) }, t(item.chosen ? "item.chosen_button" : "item.choose")));
    }
    if (model.may("circle", def.id) && !item.parent) {
      actions.push(h("button", { type: "button", class: "btn btn-small", "data-action": "circle", "data-item": item.id, "aria-pressed": String(item.circled) }, t(item.circled ? "item.circled_button" : "item.circle")));
    }
    if (model.may("vote", def.id)) actions.push(voteButtons(item, ctx));
    // Choosing the case: the facilitator names its author presenter in one step.
    const owner = item.author ? model.participants.get(item.author) : undefined;
    if (def.kind === "cases" && model.isFacilitator && owner && !owner.removed && owner.role === "participant" && state?.revealed) {
      actions.push(h("button", { type: "button", class: "btn btn-small", "data-action": "role", "data-pid": owner.id, "data-role": "presenter" }, t("people.make_presenter_named", { name: owner.name })));
    }
    if (canMove) {
      actions.push(h("label", { class: "color-pick" },
        h("span", { class: "sr-only" }, t("item.color")),
        h("select", { "data-action": "color", "data-item": item.id, "aria-label": t("item.color_of", { text: shorten(item.text) }) },
          COLORS.map((c) => h("option", { value: c, selected: c === item.color }, t(`color.${c}`))))));
    }
    if (canEdit) actions.push(h("button", { type: "button", class: "btn btn-small btn-quiet", "data-action": "edit", "data-item": item.id, "aria-label": t("item.edit_named", { text: shorten(item.text) }) }, t("item.edit")));
    if (model.mayDelete(item)) actions.push(h("button", { type: "button", class: "btn btn-small btn-quiet", "data-action": "delete", "data-item": item.id, "aria-label": t("item.delete_named", { text: shorten(item.text) }) }, t("item.delete")));
  }
  /** @type {(HTMLElement | string | null)[]} */
  const meta = [h("span", { class: "author" }, mine ? t("item.you") : author)];
  if (item.pending) meta.push(h("span", { class: "pending-mark" }, t("item.pending")));
  if (item.rating && (ro || !model.may("rate", def.id))) meta.push(h("span", { class: `rating-badge rating-${item.rating}`, title: t(`rating.${item.rating}`) }, h("span", { "aria-hidden": "true" }, t(`rating.short.${item.rating}`)), h("span", { class: "sr-only" }, t(`rating.${item.rating}`))));
  if (item.chosen) meta.push(h("span", { class: "flag" }, t("item.chosen")));
  if (item.circled) meta.push(h("span", { class: "flag" }, t("item.circled")));
  if (def.kind === "cases" || model.may("vote", def.id)) {
    const sealed = state?.sealed && !state.revealed;
    meta.push(h("span", { class: "votes" }, sealed ? t("vote.sealed_total") : t("vote.total", { n: item.votes })));
  }
  const canNavigate = !ro;
  return h(
    "li",
    {
      class: classes.join(" "),
      "data-key": item.id,
      "data-item": item.id,
      "data-kind": def.kind,
      "data-movable": canMove ? "true" : null,
      "data-editable": canEdit ? "true" : null,
      "data-rateable": !ro && model.may("rate", def.id) ? "true" : null,
      tabindex: canNavigate ? "0" : null,
      "aria-describedby": canMove ? "notes-keys" : null,
      style,
    },
    editing
      ? editForm(item)
      : h("p", { class: "item-text" }, item.text),
    h("div", { class: "item-meta" }, meta),
    actions.length ? h("div", { class: "item-actions" }, actions) : null,
    extra,
  );
}

/** @param {ViewItem} item */
function ratingButtons(item) {
  return h("div", { class: "rating-group", role: "group", "aria-label": t("rating.group", { text: shorten(item.text) }) },
    RATINGS.map((r) => h("button", {
      type: "button", class: `btn btn-small btn-rate rate-${r}`, "data-action": "rate", "data-item": item.id,
      "data-rating": r, "aria-pressed": String(item.rating === r), title: t(`rating.${r}`),
    }, h("span", { "aria-hidden": "true" }, t(`rating.short.${r}`)), h("span", { class: "sr-only" }, t(`rating.${r}`)))));
}

/**
 * @param {ViewItem} item
 * @param {Ctx} ctx
 */
function voteButtons(item, ctx) {
  const mine = ctx.model.myVotes.get(item.id) ?? 0;
  return h("div", { class: "vote-group", role: "group", "aria-label": t("vote.group", { text: shorten(item.text) }) },
    h("button", { type: "button", class: "btn btn-small", "data-action": "vote", "data-item": item.id, "data-delta": "1", "aria-label": t("vote.add_named", { text: shorten(item.text) }) }, t("vote.add")),
    h("span", { class: "my-votes" }, t("vote.mine", { n: mine })),
    h("button", { type: "button", class: "btn btn-small btn-quiet", "data-action": "vote", "data-item": item.id, "data-delta": "-1", disabled: mine === 0, "aria-label": t("vote.remove_named", { text: shorten(item.text) }) }, t("vote.remove")));
}

/** @param {ViewItem} item */
function editForm(item) {
  const id = `edit-${item.id}`;
  return h("form", { class: "edit-form", "data-action": "save", "data-item": item.id },
    h("label", { class: "sr-only", for: id }, t("item.edit_label")),
    h("textarea", { id, name: "text", rows: "3", maxlength: "2000", required: true, "data-autofocus": "true" }, item.text),
    h("div", { class: "form-row" },
      h("button", { type: "submit", class: "btn btn-small btn-primary" }, t("item.save")),
      h("button", { type: "button", class: "btn btn-small btn-quiet", "data-action": "cancel-edit" }, t("item.cancel"))));
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
  const label = where.parent
    ? where.label ?? ""
    : t(`add.label.${def.kind}`) + (where.label ? ` · ${where.label}` : "");
  return h(
    "form",
    {
      class: `add-form${disabled ? " is-disabled" : ""}`, "data-key": key, "data-action": "add", "data-section": def.id,
      "data-lane": where.lane ?? null, "data-sheet": where.sheet ? String(where.sheet) : null,
      "data-parent": where.parent ?? null, "data-count": where.count !== undefined ? String(where.count) : null,
    },
    h("label", { for: fieldId, class: where.lane && !where.parent ? "add-label sr-only" : "add-label" }, label),
    h("textarea", {
      id: fieldId, name: "text", rows: where.lane ? "1" : "2", maxlength: "2000", required: true, disabled,
      placeholder: prefix || (where.parent ? t("ideas.placeholder_alternative") : t(`add.placeholder.${def.kind}`)), "aria-describedby": hintId,
      "data-prefix": prefix || null,
    }),
    h("div", { class: "form-row" },
      where.notes
        ? h("label", { class: "color-pick" }, h("span", { class: "sr-only" }, t("item.color")),
          h("select", { name: "color", disabled, "aria-label": t("item.color") }, COLORS.map((c) => h("option", { value: c }, t(`color.${c}`)))))
        : null,
      h("button", { type: "submit", class: "btn btn-primary btn-small", disabled }, t(where.parent ? "ideas.add_alternative" : "add.submit")),
      h("span", { id: hintId, class: disabled || state?.hidden ? "hint" : "hint enter-hint" }, disabled ? t("add.locked") : state?.hidden ? t("add.hidden_hint") : t("add.enter_hint")),
    ),
  );
}

/**
 * The start of a text, for labels.
 * @param {string} text
 */
export function shorten(text) {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

// One item of a section as the viewer sees it: its text, author, marks, and the
// controls the server's rights allow (rate, choose, circle, vote, colour, edit, delete),
// or its edit form. Pure functions of the model and the section context.

import { h } from "./dom.js";
import { isSpotlit, spotlightButton } from "./facilitation.js";
import { t, tn } from "./i18n.js";

/** @typedef {import("./model.js").ViewItem} ViewItem */
/** @typedef {import("./sections.js").Ctx} Ctx */
/** @typedef {import("../types/protocol").SectionDef} SectionDef */

export const COLORS = /** @type {const} */ (["yellow", "pink", "blue", "green", "orange", "purple"]);
const RATINGS = /** @type {const} */ (["cold", "warm", "neutral"]);

/**
 * One item with what the viewer may do with it.
 * @param {SectionDef} def
 * @param {ViewItem} item
 * @param {Ctx} ctx
 * @param {HTMLElement | null} extra
 * @param {Record<string, string>} [style]
 */
export function itemCard(def, item, ctx, extra, style) {
  const { model } = ctx;
  const ro = ctx.readOnly;
  const editing = ctx.editing === item.id && !ro;
  const state = model.sections.get(def.id);
  const author = model.board.anonymous && !item.author ? t("item.anonymous") : item.author ? model.nameOf(item.author) : t("item.anonymous");
  const mine = model.isMine(item);
  const classes = ["item", `color-${item.color}`];
  if (def.kind === "notes") classes.push("note");
  if (item.pending) classes.push("is-pending");
  if (item.circled) classes.push("is-circled");
  if (item.chosen) classes.push("is-chosen");
  if (item.rating) classes.push(`rating-${item.rating}`);
  const spotlit = !ro && isSpotlit(model, def.id, item.id);
  if (spotlit) classes.push("is-spotlit");
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
      const placing = ctx.moving === item.id;
      const named = t("notes.move_named", { text: shorten(item.text) });
      actions.push(placing
        ? h("button", { type: "button", class: "btn btn-small btn-quiet", "data-action": "move-cancel", "data-item": item.id, "aria-pressed": "true", "aria-label": named }, t("notes.move"))
        : h("button", { type: "button", class: "btn btn-small btn-quiet", "data-action": "move-start", "data-item": item.id, "aria-pressed": "false", "aria-label": named }, t("notes.move")));
      actions.push(h("label", { class: "color-pick" },
        h("span", { class: "sr-only" }, t("item.color")),
        h("select", { "data-action": "color", "data-item": item.id, "aria-label": t("item.color_of", { text: shorten(item.text) }) },
          COLORS.map((c) => h("option", { value: c, selected: c === item.color }, t(`color.${c}`))))));
    }
    // an item others cannot see yet (hidden until the reveal) cannot be pointed at
    if (!item.pending && !(state?.hidden && !state.revealed)) actions.push(spotlightButton(model, { section: def.id, item: item.id, label: shorten(item.text) }));
    if (canEdit) actions.push(h("button", { type: "button", class: "btn btn-small btn-quiet", "data-action": "edit", "data-item": item.id, "aria-label": t("item.edit_named", { text: shorten(item.text) }) }, t("item.edit")));
    if (model.mayDelete(item)) actions.push(h("button", { type: "button", class: "btn btn-small btn-quiet", "data-action": "delete", "data-item": item.id, "aria-label": t("item.delete_named", { text: shorten(item.text) }) }, t("item.delete")));
  }
  /** @type {(HTMLElement | string | null)[]} */
  const meta = [h("span", { class: "author" }, mine ? t(item.author ? "item.you" : "item.anonymous_yours") : author)];
  if (spotlit) meta.push(h("span", { class: "flag flag-spotlight" }, t("spotlight.mark")));
  if (item.pending) meta.push(h("span", { class: "pending-mark" }, t("item.pending")));
  if (item.rating && (ro || !model.may("rate", def.id))) meta.push(h("span", { class: `rating-badge rating-${item.rating}`, title: t(`rating.${item.rating}`) }, h("span", { "aria-hidden": "true" }, t(`rating.short.${item.rating}`)), h("span", { class: "sr-only" }, t(`rating.${item.rating}`))));
  if (item.chosen) meta.push(h("span", { class: "flag" }, t(def.kind === "redefinitions" ? "item.chosen_definition" : "item.chosen")));
  if (item.circled) meta.push(h("span", { class: "flag" }, t("item.circled")));
  if (def.kind === "cases" || model.may("vote", def.id)) {
    const sealed = state?.sealed && !state.revealed;
    meta.push(h("span", { class: "votes" }, sealed ? t("vote.sealed_total") : tn("vote.total", item.votes)));
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
  const spent = ctx.model.votesLeft(item.section) === 0;
  return h("div", { class: "vote-group", role: "group", "aria-label": t("vote.group", { text: shorten(item.text) }) },
    h("button", { type: "button", class: "btn btn-small", "data-action": "vote", "data-item": item.id, "data-delta": "1", disabled: spent, "aria-label": t("vote.add_named", { text: shorten(item.text) }) }, t("vote.add")),
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
 * The start of a text, for labels.
 * @param {string} text
 */
export function shorten(text) {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

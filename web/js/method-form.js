// The method editor's form: the method, its sections and its steps (with the rights
// per role of each section a step shows), and the preview panel. Pure builders from
// the editor's view state to elements; the editor handles the actions.

import { h } from "./dom.js";
import { loc, t } from "./i18n.js";
import { FILTERS, KINDS, RIGHTS, ROLES } from "./method-draft.js";
import { checkbox, checklist, field, fieldId, localized } from "./method-fields.js";
import { renderPreview } from "./method-preview.js";

/** @typedef {import("./method-draft.js").Draft} Draft */
/** @typedef {import("./method-fields.js").FormView} FormView */

/** @param {FormView} view */
export function methodFields(view) {
  return h("section", { class: "card editor-card", "aria-labelledby": "ed-method-title" },
    h("h2", { id: "ed-method-title" }, t("editor.method")),
    field(view, "$.id", t("editor.field.id"), { hint: t("editor.id_hint") }),
    localized(view, "$.name", t("editor.field.name")),
    localized(view, "$.summary", t("editor.field.summary"), true),
    h("div", { class: "form-grid" },
      field(view, "$.vote_budget", t("editor.field.vote_budget"), { type: "int", hint: t("editor.vote_budget_hint") }),
      checkbox(view, "$.with_frame", t("editor.field.with_frame"), t("editor.with_frame_hint"))));
}

/**
 * @param {FormView} view
 * @param {Draft} draft
 */
export function sectionsFields(view, draft) {
  const sections = Array.isArray(draft.sections) ? draft.sections : [];
  return h("section", { class: "card editor-card", "aria-labelledby": "ed-sections-title", "data-anchor": "$.sections" },
    h("h2", { id: "ed-sections-title" }, t("editor.sections"), " ", h("span", { class: "count" }, String(sections.length))),
    h("p", { class: "hint" }, t("editor.sections_hint")),
    h("ol", { class: "part-list" }, sections.map((section, index) => sectionCard(view, section, index))),
    h("button", { type: "button", class: "btn", "data-action": "add-section" }, t("editor.add_section")));
}

/**
 * @param {FormView} view
 * @param {Draft} section
 * @param {number} index
 */
export function sectionCard(view, section, index) {
  const uid = view.uid(section);
  const path = `$.sections[${index}]`;
  const open = view.open.has(uid);
  const name = loc(section.title) || section.id;
  const lanes = Array.isArray(section.lanes) ? section.lanes : [];
  return h("li", { class: "part-card", "data-key": uid },
    h("div", { class: "part-head" },
      h("h3", { id: `${uid}-title` }, name, " ", h("span", { class: "muted" }, `· ${t(`editor.kind.${section.kind}`)}`)),
      h("div", { class: "part-actions" },
        h("button", { type: "button", class: "btn btn-small", "data-action": "toggle", "data-uid": uid, "aria-expanded": String(open), "aria-controls": `${uid}-body`, "aria-describedby": `${uid}-title` }, t(open ? "editor.fold" : "editor.unfold")),
        h("button", { type: "button", class: "btn btn-small btn-danger-outline", "data-action": "remove-section", "data-index": String(index), "aria-label": t("editor.remove_section_named", { name }) }, t("editor.remove")))),
    h("div", { class: "part-body", id: `${uid}-body`, hidden: !open },
      h("div", { class: "form-grid" },
        field(view, `${path}.id`, t("editor.field.id")),
        h("div", { class: "field" },
          h("label", { for: fieldId(`${path}.kind`) }, t("editor.field.kind")),
          h("select", { id: fieldId(`${path}.kind`), "data-path": `${path}.kind`, "data-type": "text", "data-anchor": `${path}.kind` },
            (KINDS.includes(section.kind) ? KINDS : [section.kind, ...KINDS]).map((kind) => h("option", { value: kind, selected: kind === section.kind }, t(`editor.kind.${kind}`))))),
        field(view, `${path}.sheets`, t("editor.field.sheets"), { type: "int" })),
      localized(view, `${path}.title`, t("editor.field.title")),
      h("div", { class: "field-pair", "data-anchor": `${path}.prefix` },
        field(view, `${path}.prefix.nl`, `${t("editor.field.prefix")} (${t("editor.lang_nl")})`),
        field(view, `${path}.prefix.en`, `${t("editor.field.prefix")} (${t("editor.lang_en")})`)),
      checklist(view, `${path}.add`, t("editor.section_add"), ROLES, (r) => t(`role.${r}`)),
      h("fieldset", { class: "field lanes-field", "data-anchor": `${path}.lanes` },
        h("legend", {}, t("editor.field.lanes")),
        h("p", { class: "hint" }, t("editor.lanes_hint")),
        h("ol", { class: "lane-list" }, lanes.map((lane, i) => h("li", { class: "lane-row", "data-key": view.uid(lane) },
          field(view, `${path}.lanes[${i}].id`, t("editor.field.id")),
          field(view, `${path}.lanes[${i}].title.nl`, `${t("editor.field.title")} (${t("editor.lang_nl")})`),
          field(view, `${path}.lanes[${i}].title.en`, `${t("editor.field.title")} (${t("editor.lang_en")})`),
          h("button", { type: "button", class: "btn btn-small btn-quiet", "data-action": "remove-lane", "data-section": String(index), "data-index": String(i), "aria-label": t("editor.remove_lane_named", { n: i + 1, name }) }, t("editor.remove"))))),
        h("button", { type: "button", class: "btn btn-small", "data-action": "add-lane", "data-section": String(index), "aria-label": t("editor.add_lane_named", { name }) }, t("editor.add_lane")))));
}

/**
 * @param {FormView} view
 * @param {Draft} draft
 */
export function stepsFields(view, draft) {
  const steps = Array.isArray(draft.steps) ? draft.steps : [];
  return h("section", { class: "card editor-card", "aria-labelledby": "ed-steps-title", "data-anchor": "$.steps" },
    h("h2", { id: "ed-steps-title" }, t("editor.steps"), " ", h("span", { class: "count" }, String(steps.length))),
    h("p", { class: "hint", id: "ed-reorder-hint" }, t("editor.reorder_hint")),
    h("ol", { class: "part-list step-list" }, steps.map((step, index) => stepCard(view, step, index, steps.length))),
    h("button", { type: "button", class: "btn", "data-action": "add-step" }, t("editor.add_step")));
}

/**
 * @param {FormView} view
 * @param {Draft} step
 * @param {number} index
 * @param {number} count
 */
export function stepCard(view, step, index, count) {
  const uid = view.uid(step);
  const path = `$.steps[${index}]`;
  const open = view.open.has(uid);
  const name = loc(step.title) || step.id;
  const shown = Array.isArray(step.sections) ? step.sections : [];
  const dragging = view.dragFrom === index;
  const target = view.dragFrom !== null && view.dropAt === index && !dragging;
  return h("li", { class: `part-card step-card${dragging ? " is-dragging" : ""}${target ? " is-drop-target" : ""}`, "data-key": uid, "data-step-index": String(index) },
    h("div", { class: "part-head" },
      h("span", { class: "drag-handle", "data-drag": String(index), title: t("editor.drag"), "aria-hidden": "true" }, "⋮⋮"),
      h("h3", { id: `${uid}-title` }, h("span", { class: "step-no" }, `${index + 1}.`), " ", name, " ", h("span", { class: "muted" }, `· ${t("editor.minutes_short", { n: String(step.minutes ?? "") })}`)),
      h("div", { class: "part-actions" },
      h("button", { type: "button", class: "btn btn-small", "data-action": "step-up", "data-index": String(index), disabled: index === 0, "aria-label": t("editor.up_named", { n: index + 1, name }), "aria-describedby": "ed-reorder-hint" }, "↑"),
      h("button", { type: "button", class: "btn btn-small", "data-action": "step-down", "data-index": String(index), disabled: index === count - 1, "aria-label": t("editor.down_named", { n: index + 1, name }) }, "↓"),
      h("button", { type: "button", class: "btn btn-small", "data-action": "toggle", "data-uid": uid, "aria-expanded": String(open), "aria-controls": `${uid}-body`, "aria-describedby": `${uid}-title` }, t(open ? "editor.fold" : "editor.unfold")),
      h("button", { type: "button", class: "btn btn-small btn-quiet", "data-action": "preview-step", "data-index": String(index), "aria-label": t("editor.preview_named", { n: index + 1, name }) }, t("editor.preview_this")),
      h("button", { type: "button", class: "btn btn-small btn-danger-outline", "data-action": "remove-step", "data-index": String(index), "aria-label": t("editor.remove_step_named", { n: index + 1, name }) }, t("editor.remove")))),
    h("div", { class: "part-body", id: `${uid}-body`, hidden: !open },
      h("div", { class: "form-grid" },
        field(view, `${path}.id`, t("editor.field.id")),
        field(view, `${path}.minutes`, t("editor.field.minutes"), { type: "int" })),
      localized(view, `${path}.title`, t("editor.field.title")),
      localized(view, `${path}.instruction`, t("editor.field.instruction"), true),
      roundFields(view, step, path),
      localized(view, `${path}.facilitator_notes`, t("editor.field.facilitator_notes"), true),
      h("div", { class: "field", "data-anchor": `${path}.sections` },
        h("h4", {}, t("editor.step_sections")),
        shown.length ? null : h("p", { class: "hint" }, t("editor.step_sections_none")),
        h("ol", { class: "step-sections" }, shown.map((entry, i) => stepSectionCard(view, entry, `${path}.sections[${i}]`, index, i))),
        addStepSection(view, index, shown))));
}

/**
 * The step's go-round (everyone in the chosen roles gets a timed turn), if it has one.
 * @param {FormView} view
 * @param {Draft} step
 * @param {string} path
 */
function roundFields(view, step, path) {
  const round = step.round && typeof step.round === "object" ? step.round : null;
  const id = fieldId(`${path}.round`);
  return h("div", { class: "field", "data-anchor": `${path}.round` },
    h("div", { class: "field field-check" },
      h("input", { type: "checkbox", id, "data-path": `${path}.round`, "data-type": "round", checked: Boolean(round), "aria-describedby": `${id}-hint` }),
      h("label", { for: id }, t("editor.field.round")),
      h("p", { class: "hint", id: `${id}-hint` }, t("editor.round_hint"))),
    round ? h("div", { class: "form-grid" },
      field(view, `${path}.round.seconds`, t("editor.field.round_seconds"), { type: "int" }),
      h("div", { class: "field" },
        h("label", { for: fieldId(`${path}.round.order`) }, t("editor.field.round_order")),
        h("select", { id: fieldId(`${path}.round.order`), "data-path": `${path}.round.order`, "data-type": "text", "data-anchor": `${path}.round.order` },
          ["seat", "shuffled"].map((order) => h("option", { value: order, selected: (round.order ?? "seat") === order }, t(`round.order.${order}`)))))) : null,
    round ? checklist(view, `${path}.round.roles`, t("editor.field.round_roles"), ROLES, (r) => t(`role.${r}`)) : null);
}

/**
 * A section as shown in a step: which one, rights per role, hidden, sealed, filter.
 * @param {FormView} view
 * @param {Draft} entry
 * @param {string} path
 * @param {number} stepIndex
 * @param {number} index
 */
export function stepSectionCard(view, entry, path, stepIndex, index) {
  const draft = /** @type {Draft} */ (view.draft);
  const sections = Array.isArray(draft.sections) ? draft.sections : [];
  const ids = sections.map((s) => String(s.id));
  const choices = ids.includes(entry.section) ? ids : [String(entry.section), ...ids];
  const name = loc(sections.find((s) => s.id === entry.section)?.title) || entry.section;
  return h("li", { class: "step-section", "data-key": view.uid(entry) },
    h("div", { class: "form-row" },
      h("div", { class: "field" },
        h("label", { for: fieldId(`${path}.section`) }, t("editor.field.section")),
        h("select", { id: fieldId(`${path}.section`), "data-path": `${path}.section`, "data-type": "text", "data-anchor": `${path}.section` },
          choices.map((id) => h("option", { value: id, selected: id === entry.section }, loc(sections.find((s) => s.id === id)?.title) || id)))),
      h("button", { type: "button", class: "btn btn-small btn-quiet", "data-action": "remove-step-section", "data-step": String(stepIndex), "data-index": String(index), "aria-label": t("editor.remove_shown_named", { name }) }, t("editor.remove"))),
    h("div", { class: "rights" },
      RIGHTS.map((right) => checklist(view, `${path}.${right}`, t(`editor.right.${right}`), ROLES, (r) => t(`role.${r}`)))),
    h("div", { class: "form-grid" },
      checkbox(view, `${path}.hidden`, t("editor.field.hidden"), t("editor.hidden_hint")),
      checkbox(view, `${path}.hide_ratings`, t("editor.field.hide_ratings"), t("editor.hide_ratings_hint")),
      checkbox(view, `${path}.open_questions`, t("editor.field.open_questions"), t("editor.open_questions_hint"))),
    checklist(view, `${path}.filter`, t("editor.field.filter"), FILTERS, (f) => t(`filter.${f}`)));
}

/**
 * @param {FormView} view
 * @param {number} stepIndex
 * @param {Draft[]} shown
 */
export function addStepSection(view, stepIndex, shown) {
  const draft = /** @type {Draft} */ (view.draft);
  const used = new Set(shown.map((s) => s.section));
  const free = (Array.isArray(draft.sections) ? draft.sections : []).filter((s) => !used.has(s.id));
  if (!free.length) return h("p", { class: "hint" }, t("editor.step_sections_all"));
  const id = `ed-add-shown-${stepIndex}`;
  return h("div", { class: "form-row add-shown" },
    h("label", { for: id }, t("editor.show_section")),
    h("select", { id, "data-add-shown": String(stepIndex) }, free.map((s) => h("option", { value: s.id }, loc(s.title) || s.id))),
    h("button", { type: "button", class: "btn btn-small", "data-action": "add-step-section", "data-step": String(stepIndex) }, t("editor.show")));
}

/**
 * @param {FormView} view
 * @param {Draft} draft
 */
export function previewPanel(view, draft) {
  const steps = Array.isArray(draft.steps) ? draft.steps : [];
  return h("aside", { class: "editor-preview card", "aria-labelledby": "ed-preview-title" },
    h("h2", { id: "ed-preview-title" }, t("editor.preview")),
    h("div", { class: "form-row" },
      h("label", { for: "ed-preview-step" }, t("editor.preview_step")),
      h("select", { id: "ed-preview-step", "data-preview-step": "" }, steps.map((step, i) => h("option", { value: String(i), selected: i === view.previewStep }, `${i + 1}. ${loc(step.title) || step.id}`)))),
    h("fieldset", { class: "role-switch" },
      h("legend", {}, t("editor.preview_as")),
      ROLES.map((role) => h("span", { class: "check" },
        h("input", { type: "radio", name: "ed-preview-role", id: `ed-preview-${role}`, value: role, checked: role === view.previewRole, "data-preview-role": "" }),
        h("label", { for: `ed-preview-${role}` }, t(`role.${role}`))))),
    view.previewStale && view.preview ? h("p", { class: "hint" }, t("editor.preview_stale")) : null,
    view.preview ? renderPreview(view.preview, view.previewRole, view.previewStep + 1) : h("p", { class: "hint" }, t("editor.preview_none")));
}

// The board page as a pure function of (model, view state): the join form, the
// connecting page, or the board (top bar, banner, steps, notice, sections, side
// panel). The parts live in board-steps.js, board-people.js, board-lead.js and
// sections.js; this module puts them together.

import { h } from "./dom.js";
import { explain, t } from "./i18n.js";
import { CLOSE } from "./protocol.js";
import { closedIntro, progress, stepHead } from "./board-steps.js";
import { anonymousNote, leadPanel } from "./board-lead.js";
import { peoplePanel } from "./board-people.js";
import { roundPanel, spotlightBar } from "./facilitation.js";
import { prepPanel } from "./prepare.js";
import { renderSection } from "./sections.js";
import { brandHeader } from "./shell.js";

/** @typedef {import("./model.js").BoardModel} BoardModel */
/** @typedef {import("./model.js").ViewItem} ViewItem */
/** @typedef {import("./board-state.js").ViewState} ViewState */

/**
 * Everything inside <iv-board>.
 * @param {BoardModel | null} model
 * @param {Map<string, ViewItem>} items the items as shown (own unanswered ops laid over)
 * @param {ViewState} view
 */
export function boardView(model, items, view) {
  if (view.stage === "no-token") return [brandHeader(), h("main", { id: "main", class: "page narrow" }, h("h1", {}, t("join.missing_title")), h("p", {}, t("join.missing_token")))];
  if (view.stage === "join") return [brandHeader(), joinForm(view)];
  if (!model) {
    return [brandHeader(), h("main", { id: "main", class: "page narrow" },
      banner(view), view.status === "ended" ? null : h("p", { class: "loading" }, t("board.connecting")))];
  }
  const closed = model.board.closed;
  return [
    brandHeader(h("span", { class: "session-title" }, model.board.title), statusChip(view)),
    banner(view),
    leadAway(model),
    h("main", { id: "main", class: `board${closed ? " is-closed" : ""}` },
      h("h1", { class: "sr-only" }, model.board.title),
      progress(model),
      closed ? closedIntro(model) : stepHead(model),
      spotlightBar(model),
      roundPanel(model),
      noticeBox(view),
      h("div", { class: "board-layout" },
        h("div", { class: "sections" }, closed ? null : lookback(model), sectionsView(model, items, view)),
        h("aside", { class: "sidebar", "aria-label": t("sidebar.label") },
          closed ? null : prepToggle(view),
          view.prepOpen && !closed && view.prepDraft
            ? prepPanel(view.prepDraft, { canBring: casesShown(model) && model.may("add", "cases"), joined: true })
            : null,
          peoplePanel(model, view), leadPanel(model, view), anonymousNote(model),
          attendancePanel(model, view)))),
  ];
}

/**
 * A group meeting's look-back step: the previous meeting's outcome, kept live by
 * <iv-lookback> itself (it finds the group meeting in the link and makes its own
 * requests; the render leaves its inside alone).
 * @param {BoardModel} model
 */
function lookback(model) {
  return model.step.id === "lookback" ? h("iv-lookback", { "data-key": "lookback", "data-keep": "" }) : null;
}

/** @param {BoardModel} model */
function casesShown(model) {
  return (model.step.sections ?? []).some((s) => s.section === "cases");
}

/**
 * The button that opens the case preparation (kept in this browser only).
 * @param {ViewState} view
 */
function prepToggle(view) {
  return h("button", { type: "button", class: "btn btn-block prep-toggle", "data-action": "prep-toggle", "aria-expanded": String(view.prepOpen), "data-key": "prep-toggle" },
    t(view.prepOpen ? "prep.close" : "prep.open"));
}

/**
 * The join form; with the session's agreement at the door, a box that must be ticked.
 * @param {ViewState} view
 */
function joinForm(view) {
  const agreement = view.agreement;
  return h("main", { id: "main", class: "page narrow" },
    h("div", { class: "card join-card" },
      h("h1", {}, t("join.title")),
      h("p", { class: "lead" }, t("join.lead")),
      h("form", { class: "stack", "data-action": "join", "data-key": "join" },
        h("label", { for: "join-name" }, t("join.name")),
        h("input", { id: "join-name", name: "name", required: true, maxlength: "60", autocomplete: "nickname", value: view.lastName }),
        h("p", { class: "hint", id: "join-name-hint" }, t("join.name_hint")),
        typeof agreement === "string" ? h("div", { class: "agreement", "data-agreement": "" },
          h("h2", { id: "agreement-title" }, t("join.agreement_title")),
          h("p", { class: "agreement-text", id: "agreement-text" }, agreement),
          h("label", { class: "check" },
            h("input", { type: "checkbox", id: "join-agree", name: "agree", required: true, "aria-describedby": "agreement-text" }),
            " ", t("join.agreement_accept"))) : null,
        h("button", { type: "submit", class: "btn btn-primary", disabled: agreement === undefined }, t("join.submit")),
        h("div", { role: "alert", class: "form-error" }, view.joinError ?? ""))),
    prepToggle(view),
    view.prepOpen && view.prepDraft ? prepPanel(view.prepDraft, { canBring: false, joined: false }) : null);
}

/**
 * The attendance panel (<iv-attendance>, attendance.js): it renders its own content,
 * so the board's morph keeps its children and only updates these attributes.
 * @param {BoardModel} model
 * @param {ViewState} view
 */
function attendancePanel(model, view) {
  return h("iv-attendance", { "data-key": "attendance", "data-keep": "", "data-session": model.board.session_id, "data-closed": String(model.board.closed), "data-role": model.role, "data-step": String(model.board.step), "data-online": [...model.online].sort().join(" "), "data-connected": String(view.status === "open") });
}

/** @param {ViewState} view */
function statusChip(view) {
  const key = view.status === "open" ? "status.online" : view.status === "ended" ? "status.ended" : "status.offline";
  return h("span", { class: `status-chip status-${view.status}` }, t(key));
}

/** @param {ViewState} view */
function banner(view) {
  if (view.status === "offline") {
    return h("div", { class: "banner banner-warn", role: "status", "data-banner": "offline" },
      h("strong", {}, t("banner.offline_title")), " ", t("banner.offline_body", { n: view.pendingCount }));
  }
  if (view.status === "ended" && view.endedCode === `close_${CLOSE.FACILITATOR_TAKEN}`) {
    return h("div", { class: "banner banner-warn", role: "alert", "data-banner": "takeover" },
      h("p", {}, h("strong", {}, t("takeover.title")), " ", t("takeover.body")),
      h("div", { class: "banner-actions" },
        h("button", { type: "button", class: "btn btn-primary", "data-action": "take-over" }, t("takeover.yes")),
        h("button", { type: "button", class: "btn", "data-action": "join-without-role" }, t("takeover.no"))));
  }
  if (view.roleTaken) {
    return h("div", { class: "banner banner-warn", role: "alert", "data-banner": "role-taken" },
      h("p", {}, h("strong", {}, t("takeover.lost_title")), " ", t("takeover.lost_body")),
      h("div", { class: "banner-actions" },
        h("button", { type: "button", class: "btn", "data-action": "take-over" }, t("takeover.back"))));
  }
  if (view.status === "ended") {
    return h("div", { class: "banner banner-error", role: "alert", "data-banner": "ended" },
      h("strong", {}, t("banner.ended_title")), " ", explain(view.endedCode ?? "unknown"));
  }
  return h("div", { class: "banner-slot", role: "status", "data-banner": "none" });
}

/**
 * Everyone sees when the facilitator is gone (after the first presence frame).
 * @param {BoardModel} model
 */
function leadAway(model) {
  const lead = model.board.facilitator;
  if (!lead || lead === model.me || model.board.closed || model.online.size === 0 || model.online.has(lead)) return null;
  return h("div", { class: "banner banner-warn", role: "status", "data-banner": "lead-away" },
    h("p", {}, h("strong", {}, t("lead.away_title")), " ", t("lead.away_body", { name: model.nameOf(lead) })));
}

/** @param {ViewState} view */
function noticeBox(view) {
  const notice = view.notice;
  return h("div", { class: "notice-slot", role: "alert" },
    notice ? h("div", { class: `notice notice-${notice.kind}`, "data-notice": notice.kind },
      h("p", {}, notice.text),
      h("button", { type: "button", class: "btn btn-small btn-quiet", "data-action": "dismiss" }, t("notice.dismiss"))) : null);
}

/**
 * The sections of the current step; on a closed board every section that holds items,
 * in the order of the steps that use them.
 * @param {BoardModel} model
 * @param {Map<string, ViewItem>} items
 * @param {ViewState} view
 */
function sectionsView(model, items, view) {
  const ctx = { model, items, editing: view.editing, drag: view.drag, moving: view.moving, readOnly: model.board.closed, hints: view.hints };
  if (model.board.closed) {
    const used = new Set([...items.values()].map((i) => i.section));
    const first = (/** @type {string} */ id) => {
      const index = model.method.steps.findIndex((step) => (step.sections ?? []).some((s) => s.section === id));
      return index < 0 ? Infinity : index;
    };
    return model.method.sections.filter((s) => used.has(s.id))
      .sort((a, b) => first(a.id) - first(b.id))
      .map((def) => renderSection(def, ctx));
  }
  const defs = (model.step.sections ?? []).map((s) => model.sectionDef(s.section)).filter((d) => d !== undefined);
  const hint = h("p", { class: "hint", id: "notes-keys", hidden: true }, t("notes.keys"));
  return [...defs.map((def) => renderSection(def, ctx)), hint];
}

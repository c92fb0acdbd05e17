// Rendering of the group page's parts from the server's view; no rights are derived
// here beyond hiding controls the server would refuse anyway.

import { h } from "./dom.js";
import { lang, t } from "./i18n.js";
import { copyField } from "./shell.js";

/** @typedef {import("./group-api.js").GroupView} GroupView */
/** @typedef {import("./group-api.js").Meeting} Meeting */
/** @typedef {import("./group-api.js").Outcome} Outcome */

/**
 * The first meeting that has not taken place.
 * @param {Meeting[]} meetings
 */
export function nextMeeting(meetings) {
  return meetings.find((m) => m.status !== "closed") ?? null;
}

/**
 * A local meeting time ("2027-01-12T19:30", Amsterdam wall-clock) in words.
 * @param {string} starts
 */
export function when(starts) {
  const [date, time] = starts.split("T");
  const [y, m, d] = date.split("-").map(Number);
  const day = new Date(Date.UTC(y, m - 1, d, 12));
  const words = new Intl.DateTimeFormat(lang() === "nl" ? "nl-NL" : "en-GB", { weekday: "long", day: "numeric", month: "long", year: "numeric", timeZone: "UTC" }).format(day);
  return `${words}, ${time}`;
}

/**
 * @param {Map<string, string>} names
 * @param {string | null} id
 */
function nameOf(names, id) {
  return id ? names.get(id) ?? t("group.nobody") : t("group.nobody");
}

/**
 * A select that overrides the rota's suggestion for one role of one meeting.
 * @param {GroupView} data
 * @param {Meeting} meeting
 * @param {"facilitator" | "presenter"} role
 */
function roleSelect(data, meeting, role) {
  const id = `${role}-${meeting.id}`;
  const current = meeting[role];
  const fixed = role === "facilitator" ? meeting.facilitator_fixed : meeting.presenter_fixed;
  const locked = meeting.status !== "planned";
  return h("div", { class: "role-pick" },
    h("label", { for: id }, t(`group.${role}`)),
    h("select", { id, "data-role": role, "data-meeting": meeting.id, disabled: locked, "aria-describedby": fixed ? undefined : `${id}-hint` },
      h("option", { value: "", selected: !fixed }, t("group.rota_choice")),
      data.group.members.map((m) => h("option", { value: m.id, selected: fixed && current === m.id }, m.name))),
    fixed ? null : h("span", { class: "hint", id: `${id}-hint` }, t("group.suggested", { name: current ? data.group.members.find((m) => m.id === current)?.name ?? "-" : "-" })));
}

/**
 * The plan: every meeting with its time, roles (suggested or chosen) and actions.
 * @param {GroupView} data
 * @param {Map<string, string>} names
 */
export function meetingsList(data, names) {
  if (!data.plan.meetings.length) return h("p", { class: "muted" }, t("group.plan_empty"));
  return h("ol", { class: "meetings" },
    data.plan.meetings.map((meeting, index) => h("li", { class: `meeting meeting-${meeting.status}`, "data-key": `meeting-${meeting.id}`, "data-meeting": meeting.id },
      h("div", { class: "meeting-head" },
        h("span", { class: "meeting-num" }, t("group.meeting_n", { n: index + 1 })),
        h("strong", { class: "meeting-when" }, when(meeting.starts)),
        h("span", { class: `badge badge-${meeting.status}` }, t(`group.status_${meeting.status}`))),
      meeting.status === "closed"
        ? h("p", { class: "muted" }, t("group.roles_line", { facilitator: nameOf(names, meeting.facilitator), presenter: nameOf(names, meeting.presenter) }))
        : h("div", { class: "meeting-roles" }, roleSelect(data, meeting, "facilitator"), roleSelect(data, meeting, "presenter")),
      h("div", { class: "meeting-actions" },
        h("button", { type: "button", class: "btn btn-small btn-quiet", "data-action": "calendar", "data-meeting": meeting.id, "aria-label": t("group.calendar_one_named", { when: when(meeting.starts) }) }, t("group.calendar_one")),
        meeting.status === "planned"
          ? h("button", { type: "button", class: "btn btn-small btn-quiet btn-danger-text", "data-action": "remove-meeting", "data-meeting": meeting.id, "aria-label": t("group.remove_meeting_named", { when: when(meeting.starts) }) }, t("group.remove_meeting"))
          : null))));
}

const STATUSES = /** @type {const} */ (["done", "partly", "not_yet"]);

/**
 * What the previous meeting left, with the owner's follow-up form.
 * @param {{meeting_id: string, starts: string, presenter: string | null, outcome: Outcome | null}} previous
 * @param {string} me
 * @param {Map<string, string>} names
 */
export function lookbackView(previous, me, names) {
  const outcome = previous.outcome;
  return h("section", { class: "lookback", "aria-labelledby": "lookback-title", "data-key": "lookback" },
    h("h3", { id: "lookback-title" }, t("group.lookback")),
    h("p", { class: "hint" }, t("group.lookback_hint", { when: when(previous.starts), name: nameOf(names, previous.presenter) })),
    !outcome ? h("p", { class: "muted" }, t("group.lookback_empty")) : [
      h("h4", {}, t("group.redefinition")),
      h("blockquote", { class: "redefinition" }, outcome.redefinition ?? t("group.none")),
      h("h4", {}, t("group.actions")),
      outcome.actions.length ? h("ul", { class: "actions" }, outcome.actions.map((action) => h("li", { class: "action", "data-key": `action-${action.id}`, "data-action-id": action.id },
        h("p", { class: "action-text" }, action.text),
        h("p", { class: "action-follow-up" },
          action.status ? h("span", { class: `badge badge-${action.status}` }, t(`group.follow_${action.status}`)) : h("span", { class: "muted" }, t("group.follow_none")),
          action.note ? [" ", h("span", { class: "action-note" }, action.note)] : null),
        action.owner === me ? h("form", { class: "follow-up-form", "data-keep": "", "data-form": "follow-up", "data-meeting": previous.meeting_id, "data-action-id": action.id, "data-version": String(outcome.version) },
          h("fieldset", {},
            h("legend", {}, t("group.follow_legend")),
            STATUSES.map((status) => h("label", { class: "radio" },
              h("input", { type: "radio", name: "status", value: status, checked: action.status === status, required: true }), " ", t(`group.follow_${status}`)))),
          h("label", { for: `note-${action.id}` }, t("group.follow_note")),
          h("input", { id: `note-${action.id}`, name: "note", maxlength: "300", value: action.note }),
          h("button", { type: "submit", class: "btn btn-small btn-primary" }, t("group.follow_save"))) : null))) : h("p", { class: "muted" }, t("group.none")),
    ]);
}

/**
 * @param {GroupView} data
 * @param {string | null} confirm
 * @param {string | null} invite
 * @param {string} [key]
 */
export function membersCard(data, confirm, invite, key) {
  const manager = data.me.manager;
  return h("section", { class: "card", "aria-labelledby": "members-title", "data-key": "members" },
    h("h2", { id: "members-title" }, t("group.members"), " ", h("span", { class: "count" }, data.group.members.length)),
    h("ul", { class: "people" }, data.group.members.map((m) => h("li", { class: "person", "data-key": `member-${m.id}` },
      h("span", { class: "person-name" }, m.name, m.id === data.me.id ? ` ${t("people.you")}` : ""),
      m.manager ? h("span", { class: "role-tag role-facilitator" }, t("group.manager")) : null,
      manager && m.id !== data.me.id ? memberActions(m, confirm) : null))),
    manager ? h("div", { class: "stack invite" },
      invite ? copyField("group-invite", t("group.invite_link"), invite) : h("p", { class: "hint" }, t("group.invite_unknown")),
      h("button", { type: "button", class: "btn btn-small", "data-action": "rotate" }, t("group.rotate"))) : null,
    key ? h("details", { class: "my-link", "data-key": "my-link" },
      h("summary", { class: "btn btn-small btn-quiet" }, t("group.my_link")),
      copyField("my-link", t("group.my_link_label"), `${data.page}#m=${key}`),
      h("p", { class: "hint" }, t("group.my_link_hint"))) : null);
}

/**
 * @param {import("./group-api.js").GroupMember} m
 * @param {string | null} confirm
 */
function memberActions(m, confirm) {
  if (confirm === `remove-${m.id}`) {
    return h("div", { class: "confirm" },
      h("button", { type: "button", class: "btn btn-small btn-danger", "data-action": "remove-member", "data-member": m.id }, t("group.remove_yes", { name: m.name })),
      h("button", { type: "button", class: "btn btn-small btn-quiet", "data-action": "cancel" }, t("group.cancel")));
  }
  if (confirm === `hand-${m.id}`) {
    return h("div", { class: "confirm" },
      h("button", { type: "button", class: "btn btn-small btn-danger", "data-action": "hand-on", "data-member": m.id }, t("group.hand_on_yes", { name: m.name })),
      h("button", { type: "button", class: "btn btn-small btn-quiet", "data-action": "cancel" }, t("group.cancel")));
  }
  return h("div", { class: "person-actions" },
    h("button", { type: "button", class: "btn btn-small btn-quiet", "data-action": "ask", "data-confirm": `hand-${m.id}`, "aria-label": t("group.hand_on_named", { name: m.name }) }, t("group.hand_on")),
    h("button", { type: "button", class: "btn btn-small btn-quiet btn-danger-text", "data-action": "ask", "data-confirm": `remove-${m.id}`, "aria-label": t("group.remove_named", { name: m.name }) }, t("group.remove")));
}

/**
 * My learning questions (private unless shared), each to reword, evaluate or delete,
 * and what the others shared.
 * @param {GroupView} data
 * @param {Map<string, string>} names
 * @param {string | null} confirm
 */
export function questionsCard(data, names, confirm) {
  const mine = data.questions.by_member[data.me.id] ?? [];
  const others = Object.entries(data.questions.by_member).filter(([owner]) => owner !== data.me.id);
  return h("section", { class: "card", "aria-labelledby": "questions-title", "data-key": "questions" },
    h("h2", { id: "questions-title" }, t("group.questions")),
    h("p", { class: "hint" }, t("group.questions_hint")),
    mine.length ? h("ul", { class: "questions" }, mine.map((q) => h("li", { class: "question", "data-key": `q-${q.id}` },
      h("p", { class: "question-text" }, q.text),
      h("label", { class: "check" },
        h("input", { type: "checkbox", "data-share": q.id, checked: q.shared }), " ", t("group.share")),
      h("details", { class: "evaluation", "data-key": `eval-${q.id}` },
        h("summary", {}, t("group.evaluation")),
        h("form", { class: "stack", "data-form": "evaluation", "data-question": q.id },
          h("label", { for: `eval-${q.id}` }, t("group.evaluation_label")),
          h("textarea", { id: `eval-${q.id}`, name: "evaluation", maxlength: "2000", rows: "3" }, q.evaluation),
          h("button", { type: "submit", class: "btn btn-small" }, t("group.save")))),
      h("details", { class: "question-edit", "data-key": `edit-${q.id}` },
        h("summary", {}, t("group.question_edit")),
        h("form", { class: "stack", "data-form": "question-edit", "data-question": q.id },
          h("label", { for: `text-${q.id}` }, t("group.question_text")),
          h("textarea", { id: `text-${q.id}`, name: "text", maxlength: "1000", rows: "2", required: true }, q.text),
          h("button", { type: "submit", class: "btn btn-small" }, t("group.save"))),
        confirm === `question-${q.id}`
          ? h("div", { class: "confirm" },
            h("button", { type: "button", class: "btn btn-small btn-danger", "data-action": "remove-question", "data-question": q.id }, t("group.question_remove_yes")),
            h("button", { type: "button", class: "btn btn-small btn-quiet", "data-action": "cancel" }, t("group.cancel")))
          : h("button", { type: "button", class: "btn btn-small btn-quiet btn-danger-text", "data-action": "ask", "data-confirm": `question-${q.id}`, "aria-label": t("group.question_remove_named", { text: q.text.slice(0, 60) }) }, t("group.question_remove")))))) : h("p", { class: "muted" }, t("group.questions_none")),
    h("form", { class: "stack", "data-form": "question", "data-key": "question-form" },
      h("label", { for: "new-question" }, t("group.question_new")),
      h("textarea", { id: "new-question", name: "text", maxlength: "1000", rows: "2", required: true }),
      h("label", { class: "check" }, h("input", { type: "checkbox", name: "shared" }), " ", t("group.share")),
      h("button", { type: "submit", class: "btn btn-small btn-primary" }, t("group.question_add"))),
    others.length ? [
      h("h3", {}, t("group.questions_shared")),
      h("ul", { class: "questions shared" }, others.flatMap(([owner, list]) => list.map((q) => h("li", { class: "question", "data-key": `q-${q.id}` },
        h("p", { class: "question-text" }, q.text),
        h("p", { class: "muted" }, nameOf(names, owner), q.evaluation ? ` · ${q.evaluation}` : ""))))),
    ] : null);
}

/**
 * Past meetings with their exports.
 * @param {GroupView} data
 */
export function archiveCard(data) {
  const past = data.plan.meetings.filter((m) => m.status === "closed" && m.session_id);
  return h("section", { class: "card", "aria-labelledby": "archive-title", "data-key": "archive" },
    h("h2", { id: "archive-title" }, t("group.archive")),
    past.length ? h("ul", { class: "archive" }, past.map((m) => h("li", { "data-key": `archive-${m.id}` },
      h("span", {}, when(m.starts)),
      h("span", { class: "export-buttons" }, ["md", "pdf", "csv"].map((format) => h("button", {
        type: "button", class: "btn btn-small", "data-action": "export", "data-session": m.session_id, "data-format": format, "data-date": m.starts.slice(0, 10),
        "aria-label": t("group.export_named", { format: format.toUpperCase(), when: when(m.starts) }),
      }, format.toUpperCase())))))) : h("p", { class: "muted" }, t("group.archive_empty")),
    h("p", { class: "hint" }, t("group.archive_hint")),
    h("h3", { class: "overview-head" }, t("group.overview")),
    h("p", { class: "hint" }, t("group.overview_hint")),
    h("p", { class: "export-buttons" }, overviewYears(past).map((year) => h("button", {
      type: "button", class: "btn btn-small", "data-action": "overview", "data-year": String(year),
    }, t("group.overview_year", { year })))));
}

/**
 * The years a yearly overview is offered for: this one, and every earlier year with a
 * closed meeting in the plan, newest first (the server decides what is in each).
 * @param {import("./group-api.js").Meeting[]} past
 * @returns {number[]}
 */
export function overviewYears(past) {
  const now = new Date().getFullYear();
  const years = new Set([now, ...past.map((m) => Number(m.starts.slice(0, 4))).filter((y) => y < now)]);
  return [...years].sort((a, b) => b - a);
}

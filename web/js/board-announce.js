// What a screen reader hears of others' work: new items, a new step, a new presenter,
// a rating of the viewer's own item, a reveal, the time running out, the facilitator
// dropping out or coming back; read out from the live region #announcer (the last
// five lines stay).

import { loc, t } from "./i18n.js";
import { stepPlace } from "./board-steps.js";
import { shorten } from "./section-items.js";

/** @typedef {import("./model.js").BoardModel} BoardModel */
/** @typedef {import("../types/protocol").Item} Item */

const KEPT_LINES = 5;

/**
 * What the announcements compare against: the board as it was before an event.
 * @typedef {object} Before
 * @property {number} step
 * @property {string | null | undefined} presenter
 * @property {Set<string>} revealed ids of the revealed sections
 * @property {Map<string, string | null | undefined>} ratings the viewer's own items' ratings
 */

/**
 * @param {BoardModel} model
 * @returns {Before}
 */
export function before(model) {
  const ratings = new Map();
  for (const item of model.items.values()) if (item.author === model.me) ratings.set(item.id, item.rating);
  return {
    step: model.board.step,
    presenter: model.board.presenter,
    revealed: new Set([...model.sections.values()].filter((s) => s.revealed).map((s) => s.id)),
    ratings,
  };
}

/**
 * The lines to read out after an event: others' new items, then what changed.
 * @param {BoardModel} model after the event
 * @param {Item[]} fresh the items new to this viewer
 * @param {Before} was the board before the event
 */
export function eventNews(model, fresh, was) {
  /** @type {string[]} */
  const lines = [];
  for (const item of fresh) {
    if (item.author === model.me) continue;
    const def = model.sectionDef(item.section);
    const who = item.author ? model.nameOf(item.author) : t("item.someone");
    lines.push(t("announce.new_item", { who, section: loc(def?.title), text: shorten(item.text) }));
  }
  if (model.board.step !== was.step) {
    lines.push(t("announce.step", { where: stepPlace(model, model.board.step), title: loc(model.step.title) }));
  } else {
    for (const section of model.sections.values()) {
      if (section.revealed && !was.revealed.has(section.id)) {
        lines.push(t("announce.revealed", { section: loc(model.sectionDef(section.id)?.title) }));
      }
    }
  }
  const presenter = model.board.presenter;
  if (presenter && presenter !== was.presenter) {
    lines.push(presenter === model.me ? t("announce.you_present") : t("announce.presenter", { name: model.nameOf(presenter) }));
  }
  for (const [id, rating] of was.ratings) {
    const item = model.items.get(id);
    if (item?.rating && item.rating !== rating) {
      lines.push(t("announce.rated", { text: shorten(item.text), rating: t(`rating.${item.rating}`).toLocaleLowerCase() }));
    }
  }
  return lines;
}

/**
 * The line to read out when the facilitator drops out or comes back, if any.
 * @param {BoardModel} model with the new presence
 * @param {Set<string>} wasOnline
 */
export function presenceNews(model, wasOnline) {
  const lead = model.board.facilitator;
  if (!lead || lead === model.me || model.board.closed) return null;
  if (wasOnline.has(lead) && !model.online.has(lead)) return t("announce.lead_gone", { name: model.nameOf(lead) });
  if (!wasOnline.has(lead) && model.online.has(lead) && wasOnline.size > 0) return t("announce.lead_back", { name: model.nameOf(lead) });
  return null;
}

/** @param {string} text */
export function announce(text) {
  const region = document.getElementById("announcer");
  if (!region) return;
  const line = document.createElement("p");
  line.textContent = text;
  region.append(line);
  while (region.childElementCount > KEPT_LINES) region.firstElementChild?.remove();
}

// What a screen reader hears of others' work: new items and a new step, read out from
// the live region #announcer (the last five lines stay).

import { loc, t } from "./i18n.js";
import { shorten } from "./section-items.js";

/** @typedef {import("./model.js").BoardModel} BoardModel */
/** @typedef {import("../types/protocol").Item} Item */

const KEPT_LINES = 5;

/**
 * The lines to read out after an event: others' new items, then the step if it changed.
 * @param {BoardModel} model after the event
 * @param {Item[]} fresh the items new to this viewer
 * @param {number} stepBefore the step before the event
 */
export function eventNews(model, fresh, stepBefore) {
  /** @type {string[]} */
  const lines = [];
  for (const item of fresh) {
    if (item.author === model.me) continue;
    const def = model.sectionDef(item.section);
    const who = item.author ? model.nameOf(item.author) : t("item.someone");
    lines.push(t("announce.new_item", { who, section: loc(def?.title), text: shorten(item.text) }));
  }
  if (model.board.step !== stepBefore) {
    lines.push(t("announce.step", { n: model.board.step + 1, title: loc(model.step.title) }));
  }
  return lines;
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

// Entry point: picks the page by path, loads the catalog, handles the language switch.

import { AttendanceElement } from "./attendance.js";
import { BoardElement } from "./board.js";
import { h } from "./dom.js";
import { GroupElement } from "./group.js";
import { GroupNewElement } from "./group-new.js";
import { LookbackElement } from "./lookback.js";
import { lang, setLang, storedLang, t } from "./i18n.js";
import { MethodEditorElement } from "./method-editor.js";
import { StartElement } from "./start.js";
import { brandHeader } from "./shell.js";

const BOARD_PATH = /^\/s\/([0-9a-f]{32})\/?$/;
const GROUP_PATH = /^\/g\/([0-9a-f]{32})\/?$/;

customElements.define("iv-start", StartElement);
customElements.define("iv-board", BoardElement);
customElements.define("iv-method-editor", MethodEditorElement);
customElements.define("iv-group", GroupElement);
customElements.define("iv-group-new", GroupNewElement);
customElements.define("iv-lookback", LookbackElement);
customElements.define("iv-attendance", AttendanceElement);

/** @param {"nl" | "en"} next */
async function switchLang(next) {
  await setLang(next, true);
  window.dispatchEvent(new CustomEvent("iv-langchange"));
}

async function main() {
  await setLang(storedLang() ?? "nl");
  document.addEventListener("click", (event) => {
    const button = event.target instanceof Element ? event.target.closest("[data-action=lang]") : null;
    if (button instanceof HTMLElement) switchLang(button.dataset.lang === "en" ? "en" : "nl");
  });
  const root = document.getElementById("app");
  if (!root) return;
  const match = BOARD_PATH.exec(location.pathname);
  const group = GROUP_PATH.exec(location.pathname);
  if (group) {
    const page = document.createElement("iv-group");
    page.setAttribute("group-id", group[1]);
    root.replaceChildren(page);
  } else if (location.pathname === "/") {
    root.replaceChildren(document.createElement("iv-start"));
  } else if (location.pathname === "/methods/edit") {
    root.replaceChildren(document.createElement("iv-method-editor"));
  } else if (match) {
    const board = document.createElement("iv-board");
    board.setAttribute("session-id", match[1]);
    // Without a choice of their own, people see the session in its language.
    board.addEventListener("iv-welcome", (event) => {
      const language = /** @type {CustomEvent} */ (event).detail;
      if (!storedLang() && (language === "nl" || language === "en") && language !== lang()) {
        setLang(language).then(() => window.dispatchEvent(new CustomEvent("iv-langchange")));
      }
    });
    root.replaceChildren(board);
  } else {
    root.replaceChildren(brandHeader(), h("main", { id: "main", class: "page narrow" }, h("h1", {}, t("notfound.title")), h("p", {}, h("a", { href: "/" }, t("notfound.home")))));
  }
  window.addEventListener("iv-langchange", () => {
    if (!location.pathname.startsWith("/s/") && !GROUP_PATH.test(location.pathname) && location.pathname !== "/" && location.pathname !== "/methods/edit") root.querySelector("h1")?.replaceChildren(t("notfound.title"));
  });
}

main();

// The server's reading of a question while it is written (open or closed), for the
// add forms of steps that ask for open questions. The classifying is the server's
// (server/core/questions.py): this only asks after a pause in typing and keeps the
// latest answer per form. It never blocks sending.

/** Pause in typing after which the server is asked how the question reads. */
const CLASSIFY_DELAY_MS = 350;

export class QuestionReader {
  /**
   * @param {Map<string, import("../types/protocol").Classified>} hints the view state's
   *   readings per add form (written here)
   * @param {(request: number, text: string) => void} classify sends the request
   * @param {() => void} changed asks for a render
   */
  constructor(hints, classify, changed) {
    this.hints = hints;
    this.classify = classify;
    this.changed = changed;
    /** The latest request per add form, and its typing timer. */
    /** @type {Map<string, number>} */
    this.requests = new Map();
    /** @type {Map<string, number>} */
    this.timers = new Map();
    this.count = 0;
  }

  /**
   * Typing in a text field: after a pause, ask how the question reads.
   * @param {HTMLTextAreaElement} field
   */
  typed(field) {
    const form = field.form;
    const key = form?.dataset.key;
    if (!form || !key || form.dataset.openQuestions !== "true") return;
    window.clearTimeout(this.timers.get(key));
    const text = field.value.trim();
    if (!text) {
      this.forget(key);
      this.changed();
      return;
    }
    this.timers.set(key, window.setTimeout(() => {
      this.count += 1;
      this.requests.set(key, this.count);
      this.classify(this.count, text);
    }, CLASSIFY_DELAY_MS));
  }

  /** @param {import("../types/protocol").Classified} answer */
  answered(answer) {
    for (const [key, request] of this.requests) {
      if (request === answer.request) this.hints.set(key, answer);
    }
    this.changed();
  }

  /** @param {string} key the add form's key (its question was sent, or emptied) */
  forget(key) {
    this.hints.delete(key);
    this.requests.delete(key);
  }
}

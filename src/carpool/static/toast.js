// Toasts: the notes a function leaves with carpool.Info / Warning / Success (the stream's "log"
// messages) and the errors of failed events, stacked at the top right of the page (full width on a
// phone). Each closes itself after its duration in seconds (none or 0: when its close button is pressed).
//
// Test hooks (docs/frontend.md): the stack is [data-testid="toasts"], each toast
// [data-testid="toast"][data-level="info|warning|success|error"].

import { h } from "./components/base.js";
import { renderMarkdown } from "./components/markdown.js";

const MAX_SHOWN = 5; // a function looping over gr.Info must not bury the page
const ICONS = { info: "i", warning: "!", success: "✓", error: "×" };

let stack = null;

function stackElement() {
  if (!stack || !stack.isConnected) {
    stack = h("div", { class: "cp-toasts", "data-testid": "toasts", "aria-live": "polite" });
    document.body.append(stack);
  }
  return stack;
}

/**
 * @param {{level?: string, title?: string, message?: string, duration?: number|null, visible?: boolean}} note
 * @returns {HTMLElement|null} the toast, or null when the note is not to be shown
 */
export function showToast(note) {
  if (!note || note.visible === false) return null;
  const level = ICONS[note.level] ? note.level : "info";
  const body = h("div", { class: "cp-toast-message" });
  // The message may be HTML, as in Gradio: it goes through the same sanitiser as Markdown.
  body.innerHTML = renderMarkdown(note.message ?? "");
  const close = h("button", { type: "button", class: "cp-toast-close", "aria-label": "Close", text: "×" });
  const toast = h(
    "div",
    { class: `cp-toast cp-toast-${level}`, "data-testid": "toast", "data-level": level, role: level === "error" ? "alert" : "status" },
    h("span", { class: "cp-toast-icon", "aria-hidden": "true", text: ICONS[level] }),
    h("div", { class: "cp-toast-text" }, h("strong", { class: "cp-toast-title", text: note.title || level[0].toUpperCase() + level.slice(1) }), body),
    close,
  );
  const remove = () => toast.remove();
  close.addEventListener("click", remove);
  const seconds = Number(note.duration);
  if (note.duration !== null && note.duration !== undefined && Number.isFinite(seconds) && seconds > 0) {
    toast.style.setProperty("--cp-toast-seconds", `${seconds}s`);
    toast.classList.add("cp-toast-timed");
    setTimeout(remove, seconds * 1000);
  }
  const where = stackElement();
  where.append(toast);
  while (where.children.length > MAX_SHOWN) where.firstElementChild.remove();
  return toast;
}

/** A stream's "log" message ({log, level, title, duration, visible}) as a toast. */
export function toastFromLog(msg) {
  return showToast({ level: msg.level, title: msg.title, message: msg.log, duration: msg.duration, visible: msg.visible });
}

/** A failed event's error body ({message, title?, duration?, visible?}) as an error toast. */
export function toastFromError(error, fallback) {
  const e = error || {};
  const duration = "duration" in e ? e.duration : 10;
  return showToast({ level: "error", title: e.title || "Error", message: e.message || fallback || "Error", duration, visible: e.visible });
}

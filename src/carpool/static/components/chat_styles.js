// The chat components' stylesheet (static/chat.css), linked once when the first of them renders, so
// pages without a chat load none of it.
import { h } from "./base.js";

let added = false;

export function addChatStyles() {
  if (added) return;
  added = true;
  document.head.append(h("link", { rel: "stylesheet", href: new URL("../chat.css", import.meta.url).href }));
}

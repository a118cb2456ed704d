// The chat components' stylesheet (static/chat.css), linked once when the first of them renders, so
// pages without a chat load none of it; and their few icons.
import { h } from "./base.js";

let added = false;

export function addChatStyles() {
  if (added) return;
  added = true;
  document.head.append(h("link", { rel: "stylesheet", href: new URL("../chat.css", import.meta.url).href }));
}

const SVG = "http://www.w3.org/2000/svg";

/** A small line icon ("clip" or "file"), drawn as SVG: emoji glyphs are missing from many fonts. */
export function icon(name) {
  const paths = {
    clip: "M21 11.5 12.5 20a5 5 0 0 1-7-7L14 4.5a3.3 3.3 0 0 1 4.7 4.7l-8.5 8.5a1.7 1.7 0 0 1-2.4-2.4L15.5 7.6",
    file: "M14 3H7a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2V8zM14 3v5h5",
  };
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("fill", "none");
  svg.setAttribute("stroke", "currentColor");
  svg.setAttribute("stroke-width", "2");
  svg.setAttribute("stroke-linecap", "round");
  svg.setAttribute("stroke-linejoin", "round");
  svg.setAttribute("aria-hidden", "true");
  const path = document.createElementNS(SVG, "path");
  path.setAttribute("d", paths[name]);
  svg.append(path);
  return svg;
}

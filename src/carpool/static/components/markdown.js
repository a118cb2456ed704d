// Markdown: parsed by marked (CommonMark + GitHub tables, strikethrough, task lists), then sanitised by
// DOMPurify against an allow-list of tags and attributes before anything reaches innerHTML. Raw HTML in
// the source is allowed only as far as that allow-list goes (Gradio apps write <div align=...>, <img
// width=...>, <details>). URLs are checked after the browser's own normalisation: only http(s), mailto,
// relative paths and anchors survive (and data:image/... as an <img> source). Chat messages go through
// this same function.
import { Marked, Renderer } from "../vendor/marked/marked.esm.js";
import DOMPurify from "../vendor/dompurify/purify.es.js";
import { Shell, h } from "./base.js";

const ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

const ALLOWED_TAGS = [
  "a", "abbr", "b", "blockquote", "br", "center", "code", "dd", "del", "details", "div", "dl", "dt",
  "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "input", "kbd", "li", "mark", "ol", "p",
  "pre", "q", "s", "samp", "small", "span", "strike", "strong", "sub", "summary", "sup", "table",
  "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
];
// No style (an injected overlay could cover the page), no id/name (DOM clobbering), no event handlers.
const ALLOWED_ATTR = [
  "align", "alt", "checked", "class", "colspan", "disabled", "height", "href", "lang", "open",
  "rowspan", "src", "start", "title", "type", "width",
];
const URL_ATTRIBUTES = new Set(["href", "src"]);
const SAFE_SCHEMES = new Set(["http:", "https:", "mailto:"]);
const DATA_IMAGE = /^data:image\/(png|jpeg|gif|webp|avif|bmp);base64,[a-z0-9+/=\s]*$/i;

/**
 * Whether `raw` (an attribute value, entities already decoded) is a link or image target we allow.
 * Normalised as a URL parser would: C0 controls and spaces at the ends dropped, tabs and newlines
 * removed anywhere, so "\u0001java\tscript:" is seen as "javascript:".
 */
export function isSafeUrl(raw, { image = false } = {}) {
  // eslint-disable-next-line no-control-regex
  const url = String(raw).replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, "").replace(/[\t\n\r]/g, "");
  const scheme = /^([^/?#]*?):/.exec(url);
  if (scheme === null) return !/[\u0000-\u001f\u007f]/.test(url); // relative path, anchor or //host
  const name = `${scheme[1].toLowerCase()}:`;
  if (SAFE_SCHEMES.has(name)) return true;
  return image && name === "data:" && DATA_IMAGE.test(url);
}

function checkAttribute(node, data) {
  // marked's classes only (a fenced block's language, our table box): the app's own could dress up fake UI.
  if (data.attrName === "class") data.keepAttr = /^(language-[\w-]+|cp-table-wrap)$/.test(data.attrValue);
  if (!URL_ATTRIBUTES.has(data.attrName)) return;
  const image = node.nodeName === "IMG" && data.attrName === "src";
  if (!isSafeUrl(data.attrValue, { image })) data.keepAttr = false;
}

function finishElement(node) {
  if (node.nodeName === "A" && node.hasAttribute("href")) {
    // Links open elsewhere and cannot reach back into the app's window.
    if (!node.getAttribute("href").startsWith("#")) node.setAttribute("target", "_blank");
    node.setAttribute("rel", "noopener noreferrer");
  } else if (node.nodeName === "INPUT") {
    // GitHub task lists are the one use of <input>: a disabled checkbox, nothing a user can type into.
    node.setAttribute("type", "checkbox");
    node.setAttribute("disabled", "");
  }
}

const purifier = DOMPurify();
purifier.addHook("uponSanitizeAttribute", checkAttribute);
purifier.addHook("afterSanitizeAttributes", finishElement);

const PURIFY_CONFIG = {
  ALLOWED_TAGS,
  ALLOWED_ATTR,
  ADD_ATTR: ["target", "rel"], // set by finishElement only, after the source's own were dropped
  ALLOW_DATA_ATTR: false,
  ALLOW_ARIA_ATTR: false,
  ALLOW_UNKNOWN_PROTOCOLS: false,
};

const tableRenderer = {
  // Wide tables scroll inside their own box instead of widening the page.
  table(token) {
    return `<div class="cp-table-wrap">${Renderer.prototype.table.call(this, token)}</div>`;
  },
};
// Event-handler attributes in raw HTML are dropped before DOMPurify sees them. DOMPurify drops them too
// (it is what keeps the page safe); this pass only spares the console: Chromium reports a CSP violation
// for an inline handler as soon as DOMPurify's DOMParser reads one, although nothing runs.
const HANDLER_ATTRIBUTE = /([\s/])on[a-z]+\s*=\s*("[^"]*"|'[^']*'|[^\s"'>]+)/gi;

export function withoutHandlers(html) {
  return String(html).replace(HANDLER_ATTRIBUTE, "$1");
}

function walkTokens(token) {
  if (token.type === "html") token.text = withoutHandlers(token.text);
}

const parsers = {
  plain: new Marked({ gfm: true, breaks: false, renderer: tableRenderer, walkTokens }),
  lineBreaks: new Marked({ gfm: true, breaks: true, renderer: tableRenderer, walkTokens }),
};

/**
 * Render markdown to an HTML string that is safe to assign to innerHTML.
 * @param {{lineBreaks?: boolean}} [opts] lineBreaks: a single newline in a paragraph becomes <br>
 */
export function renderMarkdown(source, opts = {}) {
  const parser = opts.lineBreaks ? parsers.lineBreaks : parsers.plain;
  const html = parser.parse(String(source ?? ""), { async: false });
  return purifier.sanitize(html, PURIFY_CONFIG);
}

function cssSize(v) {
  return typeof v === "number" ? `${v}px` : v || "";
}

/** header_links: each heading gets an id (prefixed with the component's, so it names nothing else on
 * the page) and a "#" link to itself. */
function linkHeadings(box, prefix) {
  const seen = new Map();
  for (const heading of box.querySelectorAll("h1, h2, h3, h4, h5, h6")) {
    const slug = heading.textContent.trim().toLowerCase().replace(/[^\p{L}\p{N}]+/gu, "-").replace(/^-|-$/g, "") || "section";
    const count = seen.get(slug) || 0;
    seen.set(slug, count + 1);
    heading.id = `${prefix}-${slug}${count ? `-${count}` : ""}`;
    const link = h("a", { class: "cp-header-link", href: `#${heading.id}`, text: "#" });
    link.setAttribute("aria-label", `Link to ${heading.textContent.trim()}`);
    heading.append(" ", link);
  }
}

export function create(config, ctx) {
  const shell = new Shell(config, ctx, { noLabel: true });
  const box = h("div", { class: "cp-prose" });
  const copy = h("button", { type: "button", class: "cp-icon-button cp-copy", text: "Copy" });
  copy.setAttribute("aria-label", "Copy Markdown");
  shell.body.append(box, copy);
  let source = "";
  copy.addEventListener("click", () => {
    if (navigator.clipboard) navigator.clipboard.writeText(source).catch(() => {});
    shell.emit("copy", { value: source });
  });
  const draw = () => {
    box.innerHTML = renderMarkdown(source, { lineBreaks: Boolean(shell.props.line_breaks) });
    if (shell.props.header_links) linkHeadings(box, `cp-${config.id}`);
  };
  const applyProps = (p) => {
    if ("height" in p) box.style.height = cssSize(p.height);
    if ("max_height" in p) box.style.maxHeight = cssSize(p.max_height);
    if ("min_height" in p) box.style.minHeight = cssSize(p.min_height);
    box.classList.toggle("cp-scroll", Boolean(shell.props.height || shell.props.max_height));
    if ("show_copy_button" in p) copy.hidden = !p.show_copy_button;
    if ("header_links" in p || "line_breaks" in p) draw();
  };
  applyProps({ show_copy_button: false, ...shell.props });
  return shell.finish({
    getValue: () => source,
    setValue: (v) => {
      source = v === null || v === undefined ? "" : String(v);
      draw();
    },
    applyProps,
  });
}

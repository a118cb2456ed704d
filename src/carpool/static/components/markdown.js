// Markdown: a small, safe renderer. All text is HTML-escaped FIRST; only the markup this file emits
// reaches innerHTML, and link targets are limited to http(s), mailto, relative paths and anchors.
import { Shell } from "./base.js";

const ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

function safeHref(raw) {
  // `raw` is already escaped; decode the one entity a URL legitimately contains before checking.
  const url = raw.replace(/&amp;/g, "&").trim();
  if (/^(https?:|mailto:|#|\/|\.\/|\.\.\/)/i.test(url) || !/^[a-z][a-z0-9+.-]*:/i.test(url)) {
    return escapeHtml(url);
  }
  return null; // javascript:, data:, vbscript: ... never become links
}

function inline(text) {
  const codes = [];
  // Code spans first, so nothing inside them is treated as markup.
  let out = text.replace(/`([^`]+)`/g, (_, code) => {
    codes.push(code);
    return `\u0000${codes.length - 1}\u0000`;
  });
  out = out
    .replace(/!\[([^\]]*)\]\(((?:[^()\s]|\([^()\s]*\))+)\)/g, (m, alt, src) => {
      const href = safeHref(src);
      return href ? `<img src="${href}" alt="${alt}">` : alt;
    })
    .replace(/\[([^\]]+)\]\(((?:[^()\s]|\([^()\s]*\))+)\)/g, (m, label, target) => {
      const href = safeHref(target);
      return href ? `<a href="${href}" target="_blank" rel="noopener noreferrer">${label}</a>` : label;
    })
    .replace(/\*\*([^*]+)\*\*|__([^_]+)__/g, (_, a, b) => `<strong>${a ?? b}</strong>`)
    .replace(/(^|[^*\w])\*([^*\s][^*]*)\*/g, "$1<em>$2</em>")
    .replace(/(^|\W)_([^_\s][^_]*)_(?=\W|$)/g, "$1<em>$2</em>")
    .replace(/~~([^~]+)~~/g, "<del>$1</del>")
    .replace(/(^|[\s(])(https?:\/\/[^\s<)]+)/g, '$1<a href="$2" target="_blank" rel="noopener noreferrer">$2</a>');
  return out.replace(/\u0000(\d+)\u0000/g, (_, i) => `<code>${codes[Number(i)]}</code>`);
}

function table(rows) {
  const cells = (row) => row.replace(/^\||\|$/g, "").split("|").map((c) => inline(c.trim()));
  const head = cells(rows[0]).map((c) => `<th>${c}</th>`).join("");
  const body = rows
    .slice(2)
    .map((r) => `<tr>${cells(r).map((c) => `<td>${c}</td>`).join("")}</tr>`)
    .join("");
  return `<div class="cp-table-wrap"><table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div>`;
}

/**
 * Render markdown to an HTML string that is safe to assign to innerHTML.
 * @param {{lineBreaks?: boolean}} [opts] lineBreaks: a single newline in a paragraph becomes <br>
 */
export function renderMarkdown(source, opts = {}) {
  const lines = escapeHtml(source ?? "").replace(/\r\n?/g, "\n").split("\n");
  const html = [];
  let i = 0;
  const isBlockStart = (l) => /^(#{1,6}\s|```|&gt;|\s*([-*+]|\d+[.)])\s|\s*(---|\*\*\*)\s*$|\|)/.test(l);
  while (i < lines.length) {
    const line = lines[i];
    if (/^```/.test(line)) {
      const body = [];
      for (i += 1; i < lines.length && !/^```/.test(lines[i]); i += 1) body.push(lines[i]);
      i += 1;
      html.push(`<pre><code>${body.join("\n")}</code></pre>`);
    } else if (/^(#{1,6})\s+(.*)$/.test(line)) {
      const [, hashes, text] = line.match(/^(#{1,6})\s+(.*)$/);
      html.push(`<h${hashes.length}>${inline(text.replace(/\s+#+\s*$/, ""))}</h${hashes.length}>`);
      i += 1;
    } else if (/^\s*(---|\*\*\*|___)\s*$/.test(line)) {
      html.push("<hr>");
      i += 1;
    } else if (/^&gt;\s?/.test(line)) {
      const quote = [];
      for (; i < lines.length && /^&gt;\s?/.test(lines[i]); i += 1) quote.push(lines[i].replace(/^&gt;\s?/, ""));
      html.push(`<blockquote>${renderEscaped(quote)}</blockquote>`);
    } else if (/^\s*([-*+]|\d+[.)])\s+/.test(line)) {
      const ordered = /^\s*\d+[.)]\s+/.test(line);
      const items = [];
      for (; i < lines.length && /^\s*([-*+]|\d+[.)])\s+/.test(lines[i]); i += 1) {
        items.push(`<li>${inline(lines[i].replace(/^\s*([-*+]|\d+[.)])\s+/, ""))}</li>`);
      }
      html.push(ordered ? `<ol>${items.join("")}</ol>` : `<ul>${items.join("")}</ul>`);
    } else if (/^\|.*\|\s*$/.test(line) && /^\|?\s*:?-{3,}/.test(lines[i + 1] || "")) {
      const rows = [];
      for (; i < lines.length && /^\|.*\|\s*$/.test(lines[i]); i += 1) rows.push(lines[i].trim());
      html.push(table(rows));
    } else if (line.trim() === "") {
      i += 1;
    } else {
      const para = [];
      for (; i < lines.length && lines[i].trim() !== "" && (para.length === 0 || !isBlockStart(lines[i])); i += 1) {
        para.push(lines[i]);
      }
      const breaks = opts.lineBreaks ? /\n/g : / {2,}\n/g;
      html.push(`<p>${inline(para.join("\n")).replace(breaks, "<br>")}</p>`);
    }
  }
  return html.join("\n");
}

// Blockquotes nest: their lines are already escaped, so render them without escaping twice.
function renderEscaped(lines) {
  const decoded = lines.join("\n").replace(/&(amp|lt|gt|quot|#39);/g, (m) => {
    const back = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#39;": "'" };
    return back[m];
  });
  return renderMarkdown(decoded);
}

export function create(config, ctx) {
  const shell = new Shell(config, ctx, { noLabel: true });
  const box = shell.body;
  box.classList.add("cp-prose");
  let source = "";
  return shell.finish({
    getValue: () => source,
    setValue: (v) => {
      source = v === null || v === undefined ? "" : String(v);
      box.innerHTML = renderMarkdown(source, { lineBreaks: Boolean(shell.props.line_breaks) });
    },
  });
}

// The examples table: one row per sample under the inputs. Activating a row (click, Enter or Space)
// hands its index to `onSelect`; the page then fills the inputs, shows cached outputs or runs the event.
//
// Props read (docs/frontend.md): inputs (component ids), samples (rows of wire values), headers,
// component_types, label, examples_per_page; events.js reads outputs and cached_outputs.

import { h } from "./components/base.js";

const FILE_TYPES = new Set(["image", "audio", "video", "file", "gallery"]);

function fileName(value) {
  if (!value) return "";
  if (typeof value === "string") return value.split("/").pop();
  if (value.video) return fileName(value.video);
  return value.orig_name || value.file_id || "file";
}

function cell(value, type, client) {
  if (value === null || value === undefined) return h("span", { class: "cp-muted", text: "—" });
  if (type === "image" && (typeof value === "string" || value.file_id || value.url)) {
    return h("img", { class: "cp-example-thumb", src: client.fileUrl(value), alt: fileName(value) });
  }
  if (FILE_TYPES.has(type)) return h("span", { class: "cp-example-file", text: fileName(value) });
  if (type === "checkbox") return h("span", { text: value ? "✓" : "✗", "aria-label": value ? "yes" : "no" });
  if (Array.isArray(value)) return h("span", { text: value.map(String).join(", ") });
  if (typeof value === "object") return h("code", { text: JSON.stringify(value) });
  const text = String(value);
  return h("span", { text: text.length > 80 ? `${text.slice(0, 77)}…` : text, title: text });
}

export function renderExamples(config, opts) {
  const props = config.props || {};
  const inputs = props.inputs || props.components || [];
  const samples = props.samples || [];
  const perPage = props.examples_per_page || props.samples_per_page || 10;
  const headers = inputs.map((id, i) => {
    const c = opts.configs.get(id);
    return (props.headers && props.headers[i]) || (c && c.props && c.props.label) || null;
  });
  const showHeader = headers.some(Boolean); // a single unlabelled input needs no header row
  const types = inputs.map((id, i) => {
    const c = opts.configs.get(id);
    return String((props.component_types && props.component_types[i]) || (c && c.type) || "textbox").toLowerCase();
  });
  const title = h("h2", { class: "cp-label cp-examples-label", id: `cp-${config.id}-label`, text: props.label || "Examples" });
  const table = h("table", { class: "cp-examples-table" });
  table.setAttribute("aria-labelledby", title.id);
  const pager = h("nav", { class: "cp-pager", "aria-label": "Example pages" });
  const el = h("div", { class: "cp-block cp-examples" }, title, h("div", { class: "cp-table-wrap" }, table), pager);
  let page = 0;

  function row(sample, index) {
    const tr = h("tr", { class: "cp-example-row", tabindex: "0", "data-testid": `example-${config.id}-${index}` });
    tr.setAttribute("aria-label", `Use example ${index + 1}`);
    [].concat(sample).forEach((value, i) => tr.append(h("td", {}, cell(value, types[i], opts.client))));
    const activate = () => {
      for (const r of table.querySelectorAll(".cp-selected")) r.classList.remove("cp-selected");
      tr.classList.add("cp-selected");
      opts.onSelect(index);
    };
    tr.addEventListener("click", activate);
    tr.addEventListener("keydown", (e) => {
      if (e.key === "Enter" || e.key === " ") {
        e.preventDefault();
        activate();
      }
    });
    return tr;
  }

  function render() {
    const head = h("thead", { class: showHeader ? null : "cp-sr-only" },
      h("tr", {}, headers.map((text, i) => h("th", { scope: "col", text: text || `Input ${i + 1}` }))));
    const start = page * perPage;
    const body = h("tbody", {}, samples.slice(start, start + perPage).map((s, i) => row(s, start + i)));
    table.replaceChildren(head, body);
    const pages = Math.ceil(samples.length / perPage);
    pager.hidden = pages <= 1;
    pager.replaceChildren(
      ...Array.from({ length: pages }, (_, p) => {
        const b = h("button", { type: "button", class: "cp-page", text: String(p + 1) });
        if (p === page) b.setAttribute("aria-current", "page");
        b.addEventListener("click", () => {
          page = p;
          render();
        });
        return b;
      }),
    );
  }
  render();
  return el;
}

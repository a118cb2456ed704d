// JSON: a pretty-printed, read-only view of any JSON value, with a copy button.
//
// `show_indices` writes each list item with its index in front ("0: ..."), as Gradio's tree shows them;
// the copy button copies real JSON either way. Sizes follow height / max_height / min_height.
import { Shell, h } from "./base.js";

const INDENT = "  ";

function cssSize(v) {
  return typeof v === "number" ? `${v}px` : v || "";
}

/** JSON text like JSON.stringify(value, null, 2), with "i: " before each list item. */
export function withIndices(value, depth = 0) {
  const pad = INDENT.repeat(depth + 1);
  const close = INDENT.repeat(depth);
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    const items = value.map((item, i) => `${pad}${i}: ${withIndices(item, depth + 1)}`);
    return `[\n${items.join(",\n")}\n${close}]`;
  }
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value);
    if (entries.length === 0) return "{}";
    const items = entries.map(([k, v]) => `${pad}${JSON.stringify(k)}: ${withIndices(v, depth + 1)}`);
    return `{\n${items.join(",\n")}\n${close}}`;
  }
  return JSON.stringify(value) ?? "null";
}

export function create(config, ctx) {
  const shell = new Shell(config, ctx, { labelTag: "span" });
  const pre = h("pre", { class: "cp-json", tabindex: "0" });
  pre.setAttribute("aria-labelledby", `cp-${config.id}-label`);
  const copy = h("button", { type: "button", class: "cp-icon-button cp-copy", text: "Copy" });
  copy.setAttribute("aria-label", "Copy JSON");
  copy.addEventListener(
    "click",
    () => navigator.clipboard && navigator.clipboard.writeText(value === null ? "" : JSON.stringify(value, null, 2)),
  );
  shell.body.append(pre, copy);
  let value = null;
  const render = () => {
    const text = shell.props.show_indices ? withIndices(value) : JSON.stringify(value, null, 2);
    pre.textContent = value === null ? "" : text;
    pre.classList.toggle("cp-empty", value === null);
  };
  const applyProps = (p) => {
    if ("height" in p) pre.style.height = cssSize(p.height);
    if ("max_height" in p) pre.style.maxHeight = p.max_height === null ? "none" : cssSize(p.max_height);
    if ("min_height" in p) pre.style.minHeight = cssSize(p.min_height);
    if ("show_copy_button" in p) copy.hidden = p.show_copy_button === false;
    if ("show_indices" in p) render();
  };
  applyProps(shell.props);
  return shell.finish({
    getValue: () => value,
    setValue: (v) => {
      value = v === undefined ? null : v;
      render();
    },
    applyProps,
  });
}

// JSON: a pretty-printed, read-only view of any JSON value, with a copy button.
import { Shell, h } from "./base.js";

export function create(config, ctx) {
  const shell = new Shell(config, ctx, { labelTag: "span" });
  const pre = h("pre", { class: "cp-json", tabindex: "0" });
  pre.setAttribute("aria-labelledby", `cp-${config.id}-label`);
  const copy = h("button", { type: "button", class: "cp-icon-button cp-copy", text: "Copy" });
  copy.setAttribute("aria-label", "Copy JSON");
  copy.addEventListener("click", () => navigator.clipboard && navigator.clipboard.writeText(pre.textContent));
  shell.body.append(pre, copy);
  let value = null;
  return shell.finish({
    getValue: () => value,
    setValue: (v) => {
      value = v === undefined ? null : v;
      pre.textContent = value === null ? "" : JSON.stringify(value, null, 2);
      pre.classList.toggle("cp-empty", value === null);
    },
  });
}

// Code: source text in a monospace editor with optional line numbers. Wire value: the text (or null).
// `language` is kept as a data attribute (no syntax highlighting yet).
import { Shell, h, inputId } from "./base.js";

export function create(config, ctx) {
  const shell = new Shell(config, ctx);
  const props = shell.props;
  const area = h("textarea", { class: "cp-input cp-code", id: inputId(config), spellcheck: "false" });
  area.setAttribute("aria-describedby", `cp-${config.id}-info`);
  const gutter = h("pre", { class: "cp-code-gutter", "aria-hidden": "true" });
  shell.body.append(h("div", { class: "cp-code-box" }, gutter, area));

  function numberLines() {
    const count = Math.max(area.value.split("\n").length, props.lines || 1);
    gutter.textContent = Array.from({ length: count }, (_, i) => i + 1).join("\n");
    gutter.hidden = props.show_line_numbers === false;
  }
  function applyProps(p) {
    if ("lines" in p) area.rows = p.lines || 5;
    if ("wrap_lines" in p) area.wrap = p.wrap_lines ? "soft" : "off";
    if ("language" in p) area.dataset.language = p.language || "";
    numberLines();
  }
  applyProps(props);
  area.addEventListener("input", () => {
    numberLines();
    shell.userInput();
  });
  area.addEventListener("scroll", () => {
    gutter.scrollTop = area.scrollTop;
  });
  area.addEventListener("focus", () => shell.emit("focus"));
  area.addEventListener("blur", () => shell.emit("blur"));
  return shell.finish({
    getValue: () => area.value,
    setValue: (v) => {
      area.value = v === null || v === undefined ? "" : String(v);
      numberLines();
    },
    applyProps,
    setInteractive: (on) => {
      area.readOnly = !on;
    },
  });
}

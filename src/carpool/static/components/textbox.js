// Textbox: one line (<input>) or several (<textarea>). Enter submits a single line; Ctrl/Cmd+Enter a
// multi-line one, so Enter can still add a newline there.
import { Shell, h, inputId } from "./base.js";

export function create(config, ctx) {
  const shell = new Shell(config, ctx);
  const props = shell.props;
  const multiline = (props.lines || 1) > 1;
  const input = multiline
    ? h("textarea", { rows: props.lines || 2 })
    : h("input", { type: ["password", "email"].includes(props.type) ? props.type : "text" });
  input.id = inputId(config);
  input.className = "cp-input";
  input.setAttribute("aria-describedby", `cp-${config.id}-info`);
  shell.body.append(input);

  function applyProps(p) {
    if ("placeholder" in p) input.placeholder = p.placeholder || "";
    if ("max_length" in p && p.max_length) input.maxLength = p.max_length;
    if ("rtl" in p) input.dir = p.rtl ? "rtl" : "auto";
    if (multiline && "lines" in p) input.rows = p.lines || 2;
  }
  applyProps(props);
  if (props.autofocus) queueMicrotask(() => input.focus());

  input.addEventListener("input", () => shell.userInput());
  input.addEventListener("blur", () => shell.emit("blur"));
  input.addEventListener("focus", () => shell.emit("focus"));
  input.addEventListener("keydown", (e) => {
    if (e.key !== "Enter" || e.isComposing) return;
    if (!multiline || e.ctrlKey || e.metaKey) {
      e.preventDefault();
      shell.emit("submit");
    }
  });

  if (props.show_copy_button) {
    const copy = h("button", { type: "button", class: "cp-icon-button cp-copy", text: "Copy" });
    copy.setAttribute("aria-label", `Copy ${props.label || "text"}`);
    copy.addEventListener("click", () => {
      if (navigator.clipboard) navigator.clipboard.writeText(input.value).catch(() => {});
      shell.emit("copy", { value: input.value });
    });
    shell.body.append(copy);
  }

  return shell.finish({
    getValue: () => input.value,
    setValue: (v) => {
      input.value = v === null || v === undefined ? "" : String(v);
    },
    applyProps,
    setInteractive: (on) => {
      input.readOnly = !on;
    },
  });
}

// Number: a numeric <input>; the wire value is a number or null when empty.
// As in Gradio, a Number with no value and no placeholder starts at 0, so `int(n)` works on a first click.
import { Shell, h, inputId } from "./base.js";

export function create(config, ctx) {
  const shell = new Shell(config, ctx);
  if (shell.props.value == null && !shell.props.placeholder) shell.props.value = 0;
  const input = h("input", { type: "number", class: "cp-input", id: inputId(config), inputmode: "decimal" });
  input.setAttribute("aria-describedby", `cp-${config.id}-info`);
  shell.body.append(input);

  function applyProps(p) {
    if ("placeholder" in p) input.placeholder = p.placeholder || "";
    if ("minimum" in p) input.min = p.minimum ?? "";
    if ("maximum" in p) input.max = p.maximum ?? "";
    if ("step" in p) input.step = p.step ?? "any";
    else if ("precision" in p) input.step = p.precision === 0 ? "1" : "any";
  }
  applyProps({ ...shell.props, step: shell.props.step ?? (shell.props.precision === 0 ? 1 : "any") });

  input.addEventListener("input", () => shell.userInput());
  input.addEventListener("blur", () => shell.emit("blur"));
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter") {
      e.preventDefault();
      shell.emit("submit");
    }
  });

  return shell.finish({
    getValue: () => (input.value === "" || Number.isNaN(input.valueAsNumber) ? null : input.valueAsNumber),
    setValue: (v) => {
      input.value = v === null || v === undefined ? "" : String(v);
    },
    applyProps,
    setInteractive: (on) => {
      input.readOnly = !on;
    },
  });
}

// Slider: a range input paired with a number box showing (and editing) the same value.
import { Shell, h, inputId } from "./base.js";

export function create(config, ctx) {
  const shell = new Shell(config, ctx);
  const range = h("input", { type: "range", class: "cp-range", id: inputId(config) });
  const box = h("input", { type: "number", class: "cp-input cp-slider-number", inputmode: "decimal" });
  box.setAttribute("aria-label", `${shell.props.label || "value"} (number)`);
  range.setAttribute("aria-describedby", `cp-${config.id}-info`);
  shell.body.append(h("div", { class: "cp-slider-row" }, range, box));

  function applyProps(p) {
    for (const el of [range, box]) {
      if ("minimum" in p) el.min = p.minimum ?? 0;
      if ("maximum" in p) el.max = p.maximum ?? 100;
      if ("step" in p) el.step = p.step ?? 1;
    }
  }
  applyProps({ minimum: 0, maximum: 100, step: 1, ...shell.props });
  if (shell.props.value === undefined || shell.props.value === null) box.value = range.value;

  range.addEventListener("input", () => {
    box.value = range.value;
    shell.userInput();
  });
  range.addEventListener("change", () => shell.emit("release"));
  box.addEventListener("input", () => {
    if (box.value === "") return;
    range.value = box.value;
    shell.userInput();
  });

  return shell.finish({
    getValue: () => Number(range.value),
    setValue: (v) => {
      if (v === null || v === undefined) return;
      range.value = String(v);
      box.value = String(v);
    },
    applyProps,
    setInteractive: (on) => {
      range.disabled = !on;
      box.readOnly = !on;
    },
  });
}

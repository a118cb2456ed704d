// ColorPicker: the browser's colour input. Wire value: "#rrggbb" (null before a colour is chosen).
import { Shell, h, inputId } from "./base.js";

export function create(config, ctx) {
  const shell = new Shell(config, ctx);
  const input = h("input", { type: "color", class: "cp-color", id: inputId(config) });
  input.setAttribute("aria-describedby", `cp-${config.id}-info`);
  shell.body.append(input);
  let chosen = false;
  input.addEventListener("input", () => {
    chosen = true;
    shell.userInput();
  });
  input.addEventListener("change", () => shell.emit("submit"));
  input.addEventListener("focus", () => shell.emit("focus"));
  input.addEventListener("blur", () => shell.emit("blur"));
  return shell.finish({
    getValue: () => (chosen ? input.value : null),
    setValue: (v) => {
      chosen = typeof v === "string" && v !== "";
      input.value = chosen ? v.slice(0, 7) : "#000000";
    },
    setInteractive: (on) => {
      input.disabled = !on;
    },
  });
}

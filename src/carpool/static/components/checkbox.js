// Checkbox: the wire value is a boolean. The block label sits above; the box carries its own label.
import { Shell, h, inputId } from "./base.js";

export function create(config, ctx) {
  const shell = new Shell(config, ctx, { labelTag: "span" });
  const box = h("input", { type: "checkbox", id: inputId(config), class: "cp-checkbox-input" });
  box.setAttribute("aria-describedby", `cp-${config.id}-info`);
  const text = h("label", { for: inputId(config), class: "cp-checkbox-label" });
  shell.body.append(h("div", { class: "cp-check-row" }, box, text));
  // The visible text next to the box is the component's label (Gradio places it there too).
  function syncText() {
    text.textContent = shell.props.label || "";
  }
  syncText();
  shell.label.classList.add("cp-sr-only");
  shell.label.setAttribute("aria-hidden", "true");

  box.addEventListener("change", () => {
    shell.userInput();
    shell.emit("select");
  });

  return shell.finish({
    getValue: () => box.checked,
    setValue: (v) => {
      box.checked = Boolean(v);
    },
    applyProps: (p) => {
      if ("label" in p) syncText();
    },
    setInteractive: (on) => {
      box.disabled = !on;
    },
  });
}

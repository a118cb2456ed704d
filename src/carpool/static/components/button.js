// Button: its accessible name is its label (the `value` prop). Wire value: the label text.
import { Shell, h } from "./base.js";

export function create(config, ctx) {
  const shell = new Shell(config, ctx, { noLabel: true });
  const props = shell.props;
  const button = h("button", { type: "button", class: "cp-button" });
  shell.body.replaceWith(button);
  shell.body = button;
  let text = "";
  if ((props.value === undefined || props.value === null) && props.label) props.value = props.label;

  function applyProps(p) {
    if ("variant" in p || "size" in p) {
      button.className = `cp-button cp-${props.variant || "secondary"} cp-size-${props.size || "lg"}`;
    }
  }
  applyProps({ variant: props.variant, size: props.size });
  button.addEventListener("click", () => {
    if (props.link) window.open(props.link, "_blank", "noopener");
    shell.emit("click");
  });

  return shell.finish({
    getValue: () => text,
    setValue: (v) => {
      text = v === null || v === undefined ? "" : String(v);
      button.textContent = text;
    },
    applyProps,
    // A button stays clickable unless the app says interactive=False explicitly.
    setInteractive: (on) => {
      button.disabled = !on && props.interactive === false;
    },
  });
}

// DownloadButton: a button that downloads its value (FileData from the server). Emits "click".
import { Shell, h } from "./base.js";

export function create(config, ctx) {
  const shell = new Shell(config, ctx, { noLabel: true });
  const props = shell.props;
  const link = h("a", { class: "cp-button cp-download-button", role: "button" });
  shell.body.append(link);
  let value = null;

  function applyProps(p) {
    if ("label" in p) link.textContent = p.label || "Download";
    if ("variant" in p || "size" in p) {
      link.className = `cp-button cp-download-button cp-${props.variant || "secondary"} cp-size-${props.size || "lg"}`;
    }
  }
  applyProps({ label: props.label, variant: props.variant, size: props.size });

  function refresh() {
    const url = value ? ctx.client.fileUrl(value) : null;
    if (url) {
      link.href = url;
      link.setAttribute("download", (value && value.orig_name) || "");
      link.removeAttribute("aria-disabled");
    } else {
      link.removeAttribute("href");
      link.setAttribute("aria-disabled", "true");
    }
  }
  link.addEventListener("click", () => shell.emit("click"));

  return shell.finish({
    getValue: () => value,
    setValue: (v) => {
      value = v === undefined ? null : v;
      refresh();
    },
    applyProps,
  });
}

// UploadButton: a button that opens the file picker; the chosen files go through POST /upload and
// become its value (FileData, or a list with file_count "multiple"). Emits "click", then "upload".
import { Shell, h } from "./base.js";
import { acceptFrom } from "./upload.js";

export function create(config, ctx) {
  const shell = new Shell(config, ctx, { noLabel: true });
  const props = shell.props;
  const many = props.file_count === "multiple";
  const input = h("input", { type: "file", class: "cp-file-input", tabindex: "-1", accept: acceptFrom(props.file_types) || null });
  input.multiple = many;
  const button = h("button", { type: "button", class: "cp-button" });
  const error = h("p", { class: "cp-field-error", role: "alert", hidden: true });
  shell.body.append(button, input, error);
  let value = null;

  function applyProps(p) {
    if ("label" in p) button.textContent = p.label || "Upload a File";
    if ("variant" in p || "size" in p) {
      button.className = `cp-button cp-${props.variant || "secondary"} cp-size-${props.size || "lg"}`;
    }
  }
  applyProps({ label: props.label, variant: props.variant, size: props.size });

  button.addEventListener("click", () => {
    shell.emit("click");
    input.click();
  });
  input.addEventListener("change", async () => {
    const files = [...input.files];
    input.value = "";
    if (!files.length) return;
    button.disabled = true;
    error.hidden = true;
    try {
      const uploaded = await ctx.client.upload(many ? files : files.slice(0, 1));
      component.setValue(many ? uploaded : uploaded[0] || null);
      shell.emit("upload");
    } catch (err) {
      error.textContent = `Upload failed: ${err.message}`;
      error.hidden = false;
    } finally {
      button.disabled = !shell.interactive && props.interactive === false;
    }
  });

  const component = shell.finish({
    getValue: () => value,
    setValue: (v) => {
      value = v === undefined ? null : v;
    },
    applyProps,
    // Like Button: clickable unless the app says interactive=False explicitly.
    setInteractive: (on) => {
      button.disabled = !on && props.interactive === false;
    },
  });
  return component;
}

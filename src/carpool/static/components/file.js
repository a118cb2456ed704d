// File: upload one or many files (file_count "single" | "multiple" | "directory") and list them with
// download links. Wire value: FileData, a list of FileData, or null.
import { Shell, formatBytes, h } from "./base.js";
import { acceptFrom, clearButton, createDropZone } from "./upload.js";

export function create(config, ctx) {
  const shell = new Shell(config, ctx, { labelTag: "span" });
  const props = shell.props;
  const many = props.file_count === "multiple" || props.file_count === "directory";
  const list = h("ul", { class: "cp-file-list" });
  const error = h("p", { class: "cp-field-error", role: "alert", hidden: true });
  const empty = h("div", { class: "cp-media-empty", text: "No file" });
  let value = null;

  const zone = createDropZone({
    client: ctx.client,
    accept: acceptFrom(props.file_types),
    multiple: many,
    directory: props.file_count === "directory",
    text: many ? "Drop files here or click to upload" : "Drop a file here or click to upload",
    label: `Upload ${many ? "files" : "a file"}${props.label ? ` for ${props.label}` : ""}`,
    onFiles: (files) => {
      error.hidden = true;
      component.setValue(many ? [...files] : files[0] || null);
      shell.emit("upload");
    },
    onError: (err) => {
      error.textContent = `Upload failed: ${err.message}`;
      error.hidden = false;
    },
  });
  shell.body.append(list, zone.el, empty, error);

  function render() {
    const files = [].concat(value ?? []).filter(Boolean);
    list.replaceChildren(
      ...files.map((fd) => {
        const url = ctx.client.fileUrl(fd);
        const name = (fd && fd.orig_name) || (typeof fd === "string" ? fd.split("/").pop() : "file");
        const link = h("a", { href: url, download: name, class: "cp-file-name", text: name });
        const size = h("span", { class: "cp-file-size", text: formatBytes(fd && fd.size) });
        if (!shell.interactive) return h("li", { class: "cp-file" }, link, size);
        // Gradio's .delete: one file taken out of the list, named in the event (DeletedFileData.file).
        const remove = h("button", { type: "button", class: "cp-icon-button cp-file-remove", text: "×" });
        remove.setAttribute("aria-label", `Remove ${name}`);
        remove.addEventListener("click", () => {
          const rest = files.filter((other) => other !== fd);
          component.setValue(many ? (rest.length ? rest : null) : null);
          shell.emit("delete", { file: fd });
        });
        return h("li", { class: "cp-file" }, link, size, remove);
      }),
    );
    list.hidden = files.length === 0;
    zone.el.hidden = !shell.interactive || (files.length > 0 && !many);
    empty.hidden = shell.interactive || files.length > 0;
    if (shell.interactive && files.length) {
      list.append(
        h(
          "li",
          { class: "cp-file-actions" },
          clearButton("files", () => {
            component.setValue(null);
            shell.emit("clear");
          }),
        ),
      );
    }
  }

  const component = shell.finish({
    getValue: () => value,
    setValue: (v) => {
      value = v === undefined ? null : v;
      render();
    },
    setInteractive: (on) => {
      zone.setEnabled(on);
      render();
    },
  });
  return component;
}

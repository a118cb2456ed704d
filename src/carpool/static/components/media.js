// Shared body of Image, Audio and Video: an upload area while empty and editable, otherwise the media
// itself with a clear button (editable) or a download link (output). The wire value is a FileData.
import { Shell, h } from "./base.js";
import { clearButton, createDropZone, downloadLink } from "./upload.js";

/**
 * @param {object} spec {accept, noun, render(url, value) -> Element, unwrap?(wire) -> FileData|string,
 *                       wrap?(fileData, previous) -> wire, extraSources?(shell, setFromUpload) -> Element[],
 *                       hideUpload?: boolean (no upload area: the sources leave "upload" out)}
 */
export function createMedia(config, ctx, spec) {
  const shell = new Shell(config, ctx, { labelTag: "span" });
  const unwrap = spec.unwrap || ((v) => v);
  const wrap = spec.wrap || ((fd) => fd);
  const viewer = h("div", { class: "cp-media-view" });
  const error = h("p", { class: "cp-field-error", role: "alert", hidden: true });
  const empty = h("div", { class: "cp-media-empty", text: `No ${spec.noun}` });
  let value = null;

  /** New files from the upload area, or (recorded=true) from a recorder: no "upload" event then. */
  function setFromUpload(files, recorded = false) {
    error.hidden = true;
    if (!files.length) return;
    component.setValue(wrap(files[0], value));
    shell.emit("input"); // the user changed the value (Gradio's .input), then the kind of change
    if (!recorded) shell.emit("upload");
  }

  const zone = createDropZone({
    client: ctx.client,
    accept: spec.accept,
    text: shell.props.placeholder || `Drop ${spec.noun === "image" ? "an image" : `a ${spec.noun}`} here, paste, or click to upload`,
    label: `Upload ${spec.noun}${shell.props.label ? ` for ${shell.props.label}` : ""}`,
    onFiles: setFromUpload,
    onError: (err) => {
      error.textContent = `Upload failed: ${err.message}`;
      error.hidden = false;
    },
  });
  const sources = spec.extraSources ? spec.extraSources(shell, setFromUpload) : [];
  const toolbar = h("div", { class: "cp-media-tools" });
  shell.body.append(viewer, zone.el, ...sources, empty, error);

  function render() {
    const fd = unwrap(value);
    const url = ctx.client.fileUrl(fd);
    const editable = shell.interactive;
    viewer.replaceChildren();
    toolbar.replaceChildren();
    zone.el.hidden = !editable || Boolean(url) || Boolean(spec.hideUpload);
    for (const s of sources) s.hidden = !editable || (Boolean(url) && s.dataset.keep !== "true");
    empty.hidden = editable || Boolean(url);
    viewer.hidden = !url;
    if (!url) return;
    const shown = spec.render(url, fd);
    if (shown instanceof HTMLMediaElement) {
      const start = Number(shell.props.playback_position) || 0; // Gradio's playback_position (seconds)
      if (start > 0) shown.addEventListener("loadedmetadata", () => (shown.currentTime = start), { once: true });
      // Gradio's playback events: play, pause, and at the end both stop and end
      shown.addEventListener("play", () => shell.emit("play"));
      shown.addEventListener("pause", () => !shown.ended && shell.emit("pause"));
      shown.addEventListener("ended", () => {
        shell.emit("stop");
        shell.emit("end");
      });
    }
    viewer.append(shown, toolbar);
    const name = fd && typeof fd === "object" ? fd.orig_name : null;
    if (editable) {
      toolbar.append(
        clearButton(spec.noun, () => {
          component.setValue(null);
          shell.emit("input");
          shell.emit("clear");
        }),
      );
    } else {
      const buttons = shell.props.buttons;
      const download = shell.props.show_download_button !== false && (!Array.isArray(buttons) || buttons.includes("download"));
      if (download) toolbar.append(downloadLink(url, name));
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

// ImageSlider: two images one over the other; a slider (drag, click, or arrow keys on its handle) shows
// the left image up to its position and the right one after it. Wire value: [FileData|null, FileData|null].
// Empty and editable: an upload area taking one image (the left) or two (left, right).
import { Shell, h } from "./base.js";
import { clearButton, createDropZone, downloadLink } from "./upload.js";

export function create(config, ctx) {
  const shell = new Shell(config, ctx, { labelTag: "span" });
  const left = h("img", { class: "cp-slider-image", alt: "" });
  const right = h("img", { class: "cp-slider-image cp-slider-after", alt: "" });
  const range = h("input", { type: "range", min: "0", max: "100", step: "0.1", class: "cp-slider-range" });
  range.setAttribute("aria-label", `Compare the two images${shell.props.label ? ` of ${shell.props.label}` : ""}`);
  const handle = h("div", { class: "cp-slider-handle", "aria-hidden": "true" });
  const tools = h("div", { class: "cp-media-tools" });
  const stage = h("div", { class: "cp-slider-stage", "data-testid": "imageslider-view" }, left, right, handle, range, tools);
  const empty = h("div", { class: "cp-media-empty", text: "No images" });
  const error = h("p", { class: "cp-field-error", role: "alert", hidden: true });
  let value = null;

  const zone = createDropZone({
    client: ctx.client,
    accept: "image/*",
    multiple: true,
    text: "Drop one image (or two, to compare) here, paste, or click to upload",
    label: `Upload images${shell.props.label ? ` for ${shell.props.label}` : ""}`,
    onFiles: (files) => {
      error.hidden = true;
      if (!files.length) return;
      component.setValue([files[0], files[1] || null]);
      shell.emit("upload");
      shell.userInput();
    },
    onError: (err) => {
      error.textContent = `Upload failed: ${err.message}`;
      error.hidden = false;
    },
  });
  shell.body.append(stage, zone.el, empty, error);

  function position(percent) {
    const p = Math.max(0, Math.min(100, Number(percent)));
    range.value = String(p);
    // the right image shows from the slider's position onwards
    right.style.clipPath = `inset(0 0 0 ${p}%)`;
    handle.style.left = `${p}%`;
  }

  range.addEventListener("input", () => position(range.value));
  // A click (which also moves the slider) selects the pixel under it, in the image's own pixels.
  range.addEventListener("click", (e) => {
    const image = left.hidden ? right : left;
    const box = image.getBoundingClientRect();
    if (!box.width || !box.height) return;
    const x = Math.round(((e.clientX - box.left) * image.naturalWidth) / box.width);
    const y = Math.round(((e.clientY - box.top) * image.naturalHeight) / box.height);
    shell.emit("select", { index: [x, y], value: null, selected: true });
  });

  function render() {
    const pair = Array.isArray(value) ? value : [null, null];
    const urls = pair.map((fd) => ctx.client.fileUrl(fd));
    const has = urls.some(Boolean);
    stage.hidden = !has;
    zone.el.hidden = !shell.interactive || has;
    empty.hidden = shell.interactive || has;
    const [a, b] = urls;
    left.hidden = !a;
    right.hidden = !b;
    if (a) left.src = a;
    if (b) right.src = b;
    left.alt = (pair[0] && pair[0].orig_name) || "left image";
    right.alt = (pair[1] && pair[1].orig_name) || "right image";
    range.hidden = handle.hidden = !(a && b);
    const maxHeight = shell.props.height || shell.props.max_height;
    for (const img of [left, right]) img.style.maxHeight = maxHeight ? (typeof maxHeight === "number" ? `${maxHeight}px` : maxHeight) : "";
    tools.replaceChildren();
    if (!has) return;
    if (shell.interactive) {
      tools.append(clearButton("images", () => {
        component.setValue(null);
        shell.emit("clear");
        shell.userInput();
      }));
    } else if ((shell.props.buttons || []).includes("download")) {
      urls.forEach((url, i) => url && tools.append(downloadLink(url, pair[i].orig_name)));
    }
  }

  const component = shell.finish({
    getValue: () => value,
    setValue: (v) => {
      value = v === undefined ? null : v;
      render();
    },
    applyProps: (props) => {
      if ("slider_position" in props) position(props.slider_position);
      render();
    },
    setInteractive: (on) => {
      zone.setEnabled(on);
      render();
    },
  });
  position(shell.props.slider_position ?? 50);
  return component;
}

// Gallery: a grid of images (or videos) with captions; a thumbnail opens a larger view where the arrow
// keys step through the items. Items arrive as {"image"|"video": FileData, "caption"}, FileData,
// [FileData|url, caption] or a url. An interactive Gallery whose sources include "upload" (or
// "clipboard") takes images dropped, pasted or chosen, appended to its value.
import { Shell, h } from "./base.js";
import { createDropZone } from "./upload.js";

function normalize(item) {
  if (Array.isArray(item)) return { media: item[0], caption: item[1] ?? null, kind: "image" };
  if (item && typeof item === "object" && ("image" in item || "video" in item)) {
    return "video" in item && item.video
      ? { media: item.video, caption: item.caption ?? null, kind: "video" }
      : { media: item.image, caption: item.caption ?? null, kind: "image" };
  }
  const mime = item && typeof item === "object" ? item.mime_type || "" : "";
  return { media: item, caption: null, kind: mime.startsWith("video/") ? "video" : "image" };
}

export function create(config, ctx) {
  const shell = new Shell(config, ctx, { labelTag: "span" });
  const grid = h("ul", { class: "cp-gallery-grid" });
  const empty = h("div", { class: "cp-media-empty", text: "No images" });
  const viewer = h("div", { class: "cp-gallery-viewer", hidden: true, tabindex: "-1" });
  const sources = shell.props.sources || ["upload"];
  const zone = createDropZone({
    client: ctx.client,
    accept: "image/*,video/*",
    multiple: true,
    text: "Drop images here, paste, or click to upload",
    label: `Upload images${shell.props.label ? ` to ${shell.props.label}` : ""}`,
    onFiles: (files) => {
      const added = files.map((fd) => ((fd.mime_type || "").startsWith("video/") ? { video: fd, caption: null } : { image: fd, caption: null }));
      component.setValue([...[].concat(value ?? []), ...added]);
      shell.emit("upload");
    },
  });
  const canUpload = () => shell.interactive && (sources.includes("upload") || sources.includes("clipboard"));
  shell.body.append(grid, empty, zone.el, viewer);
  let value = null;
  let items = [];
  let selected = -1;

  function mediaEl(item, big) {
    const url = ctx.client.fileUrl(item.media);
    const alt = item.caption || `item ${items.indexOf(item) + 1}`;
    if (item.kind === "video") return h("video", { src: url, controls: big, muted: !big, preload: "metadata" });
    return h("img", { src: url, alt, loading: "lazy" });
  }

  function show(index) {
    const wasOpen = !viewer.hidden;
    selected = index;
    if (index < 0 || index >= items.length) {
      viewer.hidden = true;
      if (wasOpen) shell.emit("preview_close");
      return;
    }
    if (!wasOpen) shell.emit("preview_open");
    const item = items[index];
    const close = h("button", { type: "button", class: "cp-icon-button cp-clear", text: "×" });
    close.setAttribute("aria-label", "Close preview");
    close.addEventListener("click", () => show(-1));
    viewer.replaceChildren(
      mediaEl(item, true),
      item.caption ? h("p", { class: "cp-caption", text: item.caption }) : "",
      h("span", { class: "cp-gallery-count", text: `${index + 1} / ${items.length}` }),
      close,
    );
    viewer.hidden = false;
    viewer.focus();
    const wire = [].concat(value ?? [])[index];
    shell.emit("select", { index, value: wire, selected: true });
  }

  viewer.addEventListener("keydown", (e) => {
    if (e.key === "Escape") show(-1);
    else if (e.key === "ArrowRight") show((selected + 1) % items.length);
    else if (e.key === "ArrowLeft") show((selected - 1 + items.length) % items.length);
  });

  function render() {
    items = [].concat(value ?? []).map(normalize);
    const columns = shell.props.columns;
    if (columns) grid.style.setProperty("--cp-gallery-columns", String([].concat(columns)[0]));
    grid.replaceChildren(
      ...items.map((item, i) => {
        const thumb = h("button", { type: "button", class: "cp-gallery-thumb" }, mediaEl(item, false));
        thumb.setAttribute("aria-label", item.caption || `Open item ${i + 1}`);
        thumb.addEventListener("click", () => show(i));
        return h("li", {}, thumb, item.caption ? h("span", { class: "cp-caption", text: item.caption }) : "");
      }),
    );
    empty.hidden = items.length > 0 || canUpload();
    zone.el.hidden = !canUpload();
    show(-1);
  }

  const component = shell.finish({
    getValue: () => value,
    setValue: (v) => {
      value = v === undefined ? null : v;
      render();
    },
    applyProps: (p) => {
      if ("columns" in p) render();
    },
    setInteractive: () => render(),
  });
  return component;
}

// The upload area shared by the media components: click or press Enter/Space to pick files, drop them,
// or paste them (Ctrl/Cmd+V while the area is focused or under the pointer). Files go through
// POST /upload and come back as server-minted FileData, the only file values the server accepts.
import { h } from "./base.js";

const zones = new Set();
let pasteHooked = false;

function hookPaste() {
  if (pasteHooked) return;
  pasteHooked = true;
  document.addEventListener("paste", (e) => {
    const files = [...(e.clipboardData ? e.clipboardData.files : [])];
    if (!files.length) return;
    for (const zone of zones) {
      if (zone.el.isConnected && !zone.el.closest("[hidden]") && zone.wantsPaste()) {
        e.preventDefault();
        zone.take(files);
        return;
      }
    }
  });
}

/** File-type hints ("image", ".png", "audio/*") -> the accept attribute. */
export function acceptFrom(types) {
  return [].concat(types || []).map((t) => (/^[a-z]+$/.test(t) ? `${t}/*` : t)).join(",");
}

/**
 * @param {object} opts {client, accept, multiple, directory, text, onFiles(fileDatas), onError(err), label}
 */
export function createDropZone(opts) {
  const input = h("input", { type: "file", class: "cp-file-input", tabindex: "-1", accept: opts.accept || null });
  input.multiple = Boolean(opts.multiple);
  if (opts.directory) input.webkitdirectory = true;
  const hint = h("span", { class: "cp-drop-hint", text: opts.text || "Drop a file here, paste, or click to upload" });
  const bar = h("progress", { class: "cp-upload-progress", max: "1", value: "0", hidden: true });
  const el = h("div", { class: "cp-drop", role: "button", tabindex: "0" }, hint, bar, input);
  el.setAttribute("aria-label", opts.label || "Upload a file");
  let hovered = false;
  let busy = false;

  async function take(fileList) {
    const files = [...fileList];
    if (!files.length || busy || el.getAttribute("aria-disabled") === "true") return;
    busy = true;
    el.classList.add("cp-uploading");
    bar.hidden = false;
    bar.value = 0;
    try {
      const uploaded = await opts.client.upload(opts.multiple ? files : files.slice(0, 1), (f) => {
        bar.value = f;
      });
      opts.onFiles(uploaded);
    } catch (err) {
      if (opts.onError) opts.onError(err);
    } finally {
      busy = false;
      bar.hidden = true;
      el.classList.remove("cp-uploading");
      input.value = "";
    }
  }

  el.addEventListener("click", (e) => {
    if (e.target !== input) input.click();
  });
  el.addEventListener("keydown", (e) => {
    if (e.key === "Enter" || e.key === " ") {
      e.preventDefault();
      input.click();
    }
  });
  input.addEventListener("change", () => take(input.files));
  el.addEventListener("dragover", (e) => {
    e.preventDefault();
    el.classList.add("cp-dragging");
  });
  el.addEventListener("dragleave", () => el.classList.remove("cp-dragging"));
  el.addEventListener("drop", (e) => {
    e.preventDefault();
    el.classList.remove("cp-dragging");
    if (e.dataTransfer) take(e.dataTransfer.files);
  });
  el.addEventListener("pointerenter", () => {
    hovered = true;
  });
  el.addEventListener("pointerleave", () => {
    hovered = false;
  });

  const zone = {
    el,
    take,
    wantsPaste: () => hovered || el.contains(document.activeElement),
    setEnabled(on) {
      el.setAttribute("aria-disabled", on ? "false" : "true");
      el.tabIndex = on ? 0 : -1;
    },
  };
  zones.add(zone);
  hookPaste();
  return zone;
}

/** A small "×" button that clears a media value. */
export function clearButton(label, onClear) {
  const button = h("button", { type: "button", class: "cp-icon-button cp-clear", text: "×" });
  button.setAttribute("aria-label", `Clear ${label || "value"}`);
  button.addEventListener("click", onClear);
  return button;
}

/** A download link for a file value. */
export function downloadLink(url, name) {
  const a = h("a", { class: "cp-icon-button cp-download", href: url, download: name || "", text: "↓" });
  a.setAttribute("aria-label", `Download ${name || "file"}`);
  return a;
}

// MultimodalTextbox: a message with attached files. Wire value: {text, files: [FileData]}; files go
// through POST /upload (the attach button, drop or paste) like any file input. Enter sends, Shift+Enter
// adds a line; the optional submit and stop buttons emit "submit" and "stop".
import { Shell, h, inputId } from "./base.js";
import { addChatStyles, icon } from "./chat_styles.js";
import { acceptFrom } from "./upload.js";

function lineHeight(area) {
  return parseFloat(getComputedStyle(area).lineHeight) || 20;
}

export function create(config, ctx) {
  addChatStyles();
  const shell = new Shell(config, ctx);
  const props = shell.props;
  let files = [];
  const area = h("textarea", { class: "cp-input cp-mm-text", rows: props.lines || 1, id: inputId(config) });
  area.setAttribute("aria-describedby", `cp-${config.id}-info`);
  const picker = h("input", { type: "file", class: "cp-file-input", tabindex: "-1", accept: acceptFrom(props.file_types) || null });
  picker.multiple = props.file_count !== "single";
  if (props.file_count === "directory") picker.webkitdirectory = true;
  const attach = h("button", { type: "button", class: "cp-mm-attach", title: "Attach files" }, icon("clip"));
  attach.setAttribute("aria-label", "Attach files");
  const chips = h("ul", { class: "cp-mm-files", "aria-label": "Attached files" });
  const error = h("p", { class: "cp-field-error", role: "alert", hidden: true });
  const submit = h("button", { type: "button", class: "cp-button cp-primary cp-size-sm cp-mm-submit" });
  const stop = h("button", { type: "button", class: "cp-button cp-stop cp-size-sm cp-mm-stop" });
  const row = h("div", { class: "cp-mm-row" }, attach, area, submit, stop, picker);
  const box = h("div", { class: "cp-mm" }, chips, row);
  shell.body.append(box, error);
  if (!(props.sources || ["upload"]).includes("upload")) attach.hidden = true;

  function applyProps(p) {
    if ("placeholder" in p) area.placeholder = p.placeholder || "";
    if ("rtl" in p) area.dir = p.rtl ? "rtl" : "auto";
    if ("text_align" in p && p.text_align) area.style.textAlign = p.text_align;
    if ("submit_btn" in p) {
      submit.hidden = !p.submit_btn;
      submit.textContent = typeof p.submit_btn === "string" ? p.submit_btn : "Send";
    }
    if ("stop_btn" in p) {
      stop.hidden = !p.stop_btn;
      stop.textContent = typeof p.stop_btn === "string" ? p.stop_btn : "Stop";
    }
  }
  applyProps(props);
  if (props.autofocus) queueMicrotask(() => area.focus());

  function grow() {
    const max = (props.max_lines || 20) * lineHeight(area) + 20;
    area.style.height = "auto";
    area.style.height = `${Math.min(area.scrollHeight + 2, max)}px`;
  }

  function renderFiles() {
    chips.replaceChildren(
      ...files.map((fd, index) => {
        const name = (fd && fd.orig_name) || "file";
        const remove = h("button", { type: "button", class: "cp-mm-remove", text: "×" });
        remove.setAttribute("aria-label", `Remove ${name}`);
        remove.addEventListener("click", () => {
          files = files.filter((_, i) => i !== index);
          renderFiles();
          shell.userInput();
        });
        const isImage = /^image\//.test((fd && fd.mime_type) || "");
        const thumb = isImage ? h("img", { src: ctx.client.fileUrl(fd), alt: "", class: "cp-mm-thumb" }) : null;
        return h("li", { class: "cp-mm-file" }, thumb, h("span", { class: "cp-mm-name", text: name }), remove);
      }),
    );
    chips.hidden = files.length === 0;
  }

  async function take(list) {
    const chosen = [...list];
    if (!chosen.length || !shell.interactive) return;
    error.hidden = true;
    box.classList.add("cp-uploading");
    try {
      const uploaded = await ctx.client.upload(props.file_count === "single" ? chosen.slice(0, 1) : chosen);
      files = props.file_count === "single" ? uploaded.slice(0, 1) : [...files, ...uploaded];
      renderFiles();
      shell.emit("upload");
      shell.userInput();
    } catch (err) {
      error.textContent = `Upload failed: ${err.message}`;
      error.hidden = false;
    } finally {
      box.classList.remove("cp-uploading");
      picker.value = "";
    }
  }

  function send() {
    if (!shell.interactive || (!area.value && !files.length)) return;
    shell.emit("submit");
  }

  attach.addEventListener("click", () => picker.click());
  picker.addEventListener("change", () => take(picker.files));
  box.addEventListener("dragover", (e) => {
    e.preventDefault();
    box.classList.add("cp-dragging");
  });
  box.addEventListener("dragleave", () => box.classList.remove("cp-dragging"));
  box.addEventListener("drop", (e) => {
    e.preventDefault();
    box.classList.remove("cp-dragging");
    if (e.dataTransfer) take(e.dataTransfer.files);
  });
  area.addEventListener("paste", (e) => {
    const pasted = [...(e.clipboardData ? e.clipboardData.files : [])];
    if (pasted.length) {
      e.preventDefault();
      take(pasted);
    }
  });
  area.addEventListener("input", () => {
    grow();
    shell.userInput();
  });
  area.addEventListener("focus", () => shell.emit("focus"));
  area.addEventListener("blur", () => shell.emit("blur"));
  area.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      send();
    }
  });
  submit.addEventListener("click", send);
  stop.addEventListener("click", () => shell.emit("stop"));
  renderFiles();

  return shell.finish({
    getValue: () => ({ text: area.value, files: [...files] }),
    setValue: (v) => {
      const value = typeof v === "string" ? { text: v, files: [] } : v || {};
      area.value = value.text === null || value.text === undefined ? "" : String(value.text);
      files = Array.isArray(value.files) ? value.files.filter(Boolean) : [];
      renderFiles();
      grow();
    },
    applyProps,
    setInteractive: (on) => {
      area.readOnly = !on;
      attach.disabled = !on;
      submit.disabled = !on;
      box.classList.toggle("cp-mm-locked", !on);
    },
  });
}

// Chatbot: a conversation in Gradio's messages format. Wire value: [{role, content: [part], metadata,
// options}], a part being {type: "text", text} or {type: "file", file: FileData, alt_text}.
//
// Streaming: a new value is compared with what is shown message by message (by its JSON), so while a
// reply grows only the last bubble changes, and only its changed text part is rendered again; every
// other message keeps its DOM node. Text is Markdown through the shared sanitising renderMarkdown.
//
// Buttons appear for the events the app listens to (props.listens): like, retry, undo, edit (with
// props.editable), copy is always offered with show_copy_button. They emit {index, value, ...} as the
// event's data (LikeData, RetryData, UndoData, EditData in Python).
import { Shell, h } from "./base.js";
import { renderMarkdown } from "./markdown.js";
import { savedConversations } from "./chat_history.js";
import { addChatStyles, icon } from "./chat_styles.js";

const MEDIA = { image: "img", audio: "audio", video: "video" };

function cssSize(v) {
  return v === null || v === undefined ? "" : typeof v === "number" ? `${v}px` : String(v);
}

function mimeOf(fd) {
  const type = (fd && fd.mime_type) || "";
  if (type) return type.split("/")[0];
  const name = ((fd && (fd.orig_name || fd.url)) || "").toLowerCase();
  if (/\.(png|jpe?g|gif|webp|avif|bmp|svg)$/.test(name)) return "image";
  if (/\.(mp3|wav|ogg|flac|m4a|aac)$/.test(name)) return "audio";
  if (/\.(mp4|webm|mov|mkv|ogv)$/.test(name)) return "video";
  return "file";
}

function messageText(message) {
  return (message.content || []).filter((p) => p && p.type === "text").map((p) => p.text).join("\n");
}

export function create(config, ctx) {
  addChatStyles();
  const shell = new Shell(config, ctx, { labelTag: "span" });
  const props = shell.props;
  const listens = () => new Set(props.listens || []);
  const log = h("div", { class: "cp-chat-log", role: "log", "aria-label": props.label || "Chatbot" });
  log.setAttribute("aria-live", "polite");
  const toolbar = h("div", { class: "cp-chat-toolbar" });
  const empty = h("div", { class: "cp-chat-empty" });
  shell.body.classList.add("cp-chat");
  shell.body.append(toolbar, log);
  let messages = [];
  let rows = []; // one per message shown: {key, role, el, bubble, parts: [{key, el}], thought}
  let history = null; // saved conversations (save_history)

  function applyProps(p) {
    if ("height" in p) log.style.height = cssSize(p.height);
    if ("max_height" in p) log.style.maxHeight = cssSize(p.max_height);
    if ("min_height" in p) log.style.minHeight = cssSize(p.min_height);
    if ("rtl" in p) log.dir = p.rtl ? "rtl" : "auto";
    if ("layout" in p) shell.body.classList.toggle("cp-chat-panel", p.layout === "panel");
  }
  applyProps(props);

  // -- toolbar: copy all, clear ------------------------------------------------------------------

  const copyAll = h("button", { type: "button", class: "cp-chat-tool", text: "Copy all", title: "Copy the conversation" });
  copyAll.addEventListener("click", () => {
    const text = messages.map((m) => `${m.role}: ${messageText(m)}`).join("\n\n");
    writeClipboard(text);
    flash(copyAll, "Copied");
  });
  const clear = h("button", { type: "button", class: "cp-chat-tool", text: "Clear", title: "Clear the conversation" });
  clear.setAttribute("aria-label", "Clear conversation");
  clear.addEventListener("click", () => {
    component.setValue([]);
    shell.emit("clear");
  });
  toolbar.append(copyAll, clear);

  function updateToolbar() {
    copyAll.hidden = !props.show_copy_all_button || !messages.length;
    clear.hidden = !messages.length;
    toolbar.hidden = copyAll.hidden && clear.hidden && !history;
  }

  function writeClipboard(text) {
    const full = props.watermark ? `${text}\n\n${props.watermark}` : text;
    if (navigator.clipboard) navigator.clipboard.writeText(full).catch(() => {});
  }

  function flash(button, text) {
    const before = button.textContent;
    button.textContent = text;
    setTimeout(() => {
      button.textContent = before;
    }, 1200);
  }

  // -- one message ---------------------------------------------------------------------------------

  function renderText(el, text) {
    if (props.render_markdown === false) el.textContent = text;
    else el.innerHTML = renderMarkdown(text, { lineBreaks: props.line_breaks !== false });
  }

  function renderPart(part) {
    if (part && part.type === "file") return renderFile(part);
    const el = h("div", { class: "cp-msg-text cp-prose" });
    renderText(el, part ? part.text : "");
    return el;
  }

  function renderFile(part) {
    const fd = part.file || {};
    const url = ctx.client.fileUrl(fd);
    const name = fd.orig_name || "file";
    const kind = mimeOf(fd);
    const box = h("div", { class: `cp-msg-file cp-msg-${kind in MEDIA ? kind : "download"}` });
    if (!url) return box;
    if (kind === "image") {
      box.append(h("img", { src: url, alt: part.alt_text || name, loading: "lazy" }));
    } else if (kind in MEDIA) {
      box.append(h(MEDIA[kind], { src: url, controls: true, preload: "metadata", "aria-label": part.alt_text || name }));
    }
    if (!(kind in MEDIA) || props.allow_file_downloads !== false) {
      const link = h("a", { href: url, download: name, class: "cp-msg-download" }, kind in MEDIA ? "↓ " : icon("file"), name);
      link.setAttribute("aria-label", `Download ${name}`);
      box.append(link);
    }
    return box;
  }

  function thoughtSummary(meta) {
    const summary = h("summary", { class: "cp-thought-title" });
    if (meta.status === "pending") summary.append(h("span", { class: "cp-spinner", "aria-label": "working" }));
    summary.append(h("span", { text: meta.title }));
    if (meta.log) summary.append(h("span", { class: "cp-thought-log", text: meta.log }));
    if (typeof meta.duration === "number") {
      summary.append(h("span", { class: "cp-thought-log", text: `(${meta.duration.toFixed(1)}s)` }));
    }
    return summary;
  }

  function avatar(role) {
    const images = props.avatar_images || [];
    const fd = role === "user" ? images[0] : images[1];
    const url = fd ? ctx.client.fileUrl(fd) : null;
    return url ? h("img", { class: "cp-chat-avatar", src: url, alt: "" }) : null;
  }

  function renderRow(message, index) {
    const role = message.role || "assistant";
    const meta = message.metadata || null;
    const el = h("div", { class: `cp-chat-row cp-role-${role}`, "data-testid": "chat-message", "data-role": role });
    const bubble = h("div", { class: "cp-msg" });
    const body = h("div", { class: "cp-msg-body" });
    const parts = (message.content || []).map((part) => ({ key: JSON.stringify(part), el: renderPart(part) }));
    body.append(...parts.map((p) => p.el));
    let thought = null;
    if (meta && meta.title) {
      thought = h("details", { class: "cp-thought", open: meta.status !== "done" }, thoughtSummary(meta), body);
      if (meta.parent_id !== undefined && meta.parent_id !== null) thought.classList.add("cp-thought-nested");
      bubble.append(thought);
      bubble.classList.add("cp-msg-thought");
    } else {
      bubble.append(body);
    }
    const actions = h("div", { class: "cp-msg-actions" });
    const row = { key: JSON.stringify(message), role, el, bubble, body, parts, thought, actions, meta };
    // a click on a message selects it (SelectData), for apps that listen to .select
    bubble.addEventListener("click", (e) => {
      if (!listens().has("select") || e.target.closest("a, button, summary, audio, video, textarea")) return;
      const i = rows.findIndex((r) => r.el === el);
      if (i >= 0) shell.emit("select", { index: i, value: messageText(messages[i]), selected: true });
    });
    const pic = avatar(role);
    const main = h("div", { class: "cp-msg-main" }, bubble, actions);
    if (pic) el.append(pic);
    el.append(main);
    fillActions(row, message, index);
    if (message.options && message.options.length) main.append(renderOptions(message.options));
    return row;
  }

  function renderOptions(options) {
    const box = h("div", { class: "cp-msg-options" });
    for (const option of options) {
      const button = h("button", { type: "button", class: "cp-chat-option", text: option.label || option.value });
      button.addEventListener("click", () => shell.emit("option_select", { index: null, value: option.value }));
      box.append(button);
    }
    return box;
  }

  function iconButton(label, text, onClick) {
    const button = h("button", { type: "button", class: "cp-msg-action", text, title: label });
    button.setAttribute("aria-label", label);
    button.addEventListener("click", onClick);
    return button;
  }

  function fillActions(row, message, index) {
    const wired = listens();
    const isBot = row.role !== "user";
    const buttons = [];
    if (props.show_copy_button !== false && messageText(message) && !row.thought) {
      const copy = iconButton("Copy message", "Copy", () => {
        writeClipboard(messageText(messages[index] || message));
        flash(copy, "Copied");
        shell.emit("copy", { index, value: messageText(messages[index] || message) });
      });
      buttons.push(copy);
    }
    if (wired.has("like") && (isBot || props.like_user_message)) buttons.push(...likeButtons(index));
    const editable = props.editable === "all" || (props.editable === "user" && !isBot);
    if (wired.has("edit") && editable && messageText(message)) {
      buttons.push(iconButton("Edit message", "Edit", () => startEdit(index)));
    }
    row.actions.replaceChildren(...buttons);
    row.actions.hidden = !buttons.length;
  }

  // "Like" / "Dislike" show as thumbs, other feedback options as their text; pressing one sends
  // liked = true / false / the option (LikeData.liked), pressing it again takes it back (no event).
  function likeButtons(index) {
    const options = props.feedback_options || [];
    const chosen = (props.feedback_value || [])[index];
    const liked = (option) => (option === "Like" ? true : option === "Dislike" ? false : option);
    return options.map((option) => {
      const text = option === "Like" ? "👍" : option === "Dislike" ? "👎" : option;
      const button = iconButton(option, text, () => {
        const on = button.getAttribute("aria-pressed") !== "true";
        for (const b of button.parentElement.querySelectorAll(".cp-msg-like")) b.setAttribute("aria-pressed", "false");
        button.setAttribute("aria-pressed", on ? "true" : "false");
        if (on) shell.emit("like", { index, value: (messages[index] || {}).content, liked: liked(option) });
      });
      button.classList.add("cp-msg-like");
      button.setAttribute("aria-pressed", chosen === option ? "true" : "false");
      return button;
    });
  }

  function startEdit(index) {
    const row = rows[index];
    const previous = messageText(messages[index]);
    const area = h("textarea", { class: "cp-input cp-msg-edit", rows: Math.min(8, previous.split("\n").length + 1) });
    area.value = previous;
    area.setAttribute("aria-label", "Edit message");
    const save = h("button", { type: "button", class: "cp-button cp-primary cp-size-sm", text: "Save" });
    const cancel = h("button", { type: "button", class: "cp-button cp-secondary cp-size-sm", text: "Cancel" });
    const editor = h("div", { class: "cp-msg-editor" }, area, h("div", { class: "cp-msg-editor-buttons" }, cancel, save));
    row.bubble.replaceChildren(editor);
    area.focus();
    const restore = () => {
      rows[index] = renderRow(messages[index], index);
      row.el.replaceWith(rows[index].el);
      markTurnEnd();
    };
    cancel.addEventListener("click", restore);
    save.addEventListener("click", () => {
      const value = area.value;
      messages = messages.map((m, i) => (i === index ? { ...m, content: [{ type: "text", text: value }] } : m));
      restore();
      shell.emit("edit", { index, value, previous_value: previous });
    });
  }

  // -- the turn's buttons (retry, undo) live on the last message --------------------------------------

  const turnActions = h("div", { class: "cp-turn-actions" });
  const retry = iconButton("Retry", "↻ Retry", () => {
    const i = lastUserIndex();
    shell.emit("retry", { index: i, value: i >= 0 ? messageText(messages[i]) : null });
  });
  const undo = iconButton("Undo", "↶ Undo", () => {
    const i = lastUserIndex();
    shell.emit("undo", { index: i, value: i >= 0 ? messageText(messages[i]) : null });
  });

  function lastUserIndex() {
    for (let i = messages.length - 1; i >= 0; i -= 1) if (messages[i].role === "user") return i;
    return -1;
  }

  function markTurnEnd() {
    const wired = listens();
    const last = rows[rows.length - 1];
    const shown = [];
    if (wired.has("retry")) shown.push(retry);
    if (wired.has("undo")) shown.push(undo);
    turnActions.replaceChildren(...shown);
    if (last && last.role !== "user" && shown.length && lastUserIndex() >= 0) last.actions.after(turnActions);
    else turnActions.remove();
    rows.forEach((row, i) => row.el.classList.toggle("cp-continued", i > 0 && props.group_consecutive_messages !== false && rows[i - 1].role === row.role));
  }

  // -- the whole value -------------------------------------------------------------------------------

  /** Bring a shown row up to date with `message` in place when only its text parts changed. */
  function patchRow(row, message, index) {
    const parts = message.content || [];
    const sameShape =
      row.role === (message.role || "assistant") &&
      row.parts.length === parts.length &&
      JSON.stringify(row.meta || null) === JSON.stringify(message.metadata || null) &&
      JSON.stringify(message.options || null) === "null";
    if (!sameShape) return false;
    parts.forEach((part, i) => {
      const key = JSON.stringify(part);
      if (row.parts[i].key === key) return;
      if (part && part.type === "text" && row.parts[i].el.classList.contains("cp-msg-text")) {
        renderText(row.parts[i].el, part.text);
      } else {
        const el = renderPart(part);
        row.parts[i].el.replaceWith(el);
        row.parts[i].el = el;
      }
      row.parts[i].key = key;
    });
    row.key = JSON.stringify(message);
    fillActions(row, message, index);
    return true;
  }

  function nearBottom() {
    return log.scrollHeight - log.scrollTop - log.clientHeight < 48;
  }

  function render() {
    const follow = props.autoscroll !== false && nearBottom();
    messages.forEach((message, index) => {
      const key = JSON.stringify(message);
      const row = rows[index];
      if (row && row.key === key) return;
      if (row && patchRow(row, message, index)) return;
      const fresh = renderRow(message, index);
      if (row) row.el.replaceWith(fresh.el);
      else log.append(fresh.el);
      rows[index] = fresh;
    });
    for (const row of rows.splice(messages.length)) row.el.remove();
    renderEmpty();
    markTurnEnd();
    updateToolbar();
    if (follow) log.scrollTop = log.scrollHeight;
  }

  function renderEmpty() {
    const examples = props.examples || [];
    if (messages.length || (!props.placeholder && !examples.length)) {
      empty.remove();
      return;
    }
    empty.replaceChildren();
    if (props.placeholder) {
      const text = h("div", { class: "cp-chat-placeholder cp-prose" });
      renderText(text, props.placeholder);
      empty.append(text);
    }
    if (examples.length) {
      const list = h("div", { class: "cp-chat-examples" });
      examples.forEach((example, index) => {
        const card = h("button", { type: "button", class: "cp-chat-example", "data-testid": "chat-example" });
        const icon = example.icon ? ctx.client.fileUrl(example.icon) : null;
        if (icon) card.append(h("img", { src: icon, alt: "", class: "cp-chat-example-icon" }));
        card.append(h("span", { text: example.display_text || example.text || "" }));
        const files = example.files || [];
        if (files.length) card.append(h("span", { class: "cp-chat-example-files" }, icon("clip"), ` ${files.length}`));
        card.addEventListener("click", () =>
          shell.emit("example_select", { index, value: { text: example.text || "", files } }),
        );
        list.append(card);
      });
      empty.append(list);
    }
    if (!empty.isConnected) log.append(empty);
  }

  const component = shell.finish({
    getValue: () => messages,
    setValue: (v) => {
      messages = Array.isArray(v) ? v.filter((m) => m && typeof m === "object") : [];
      render();
      if (history) history.update(messages);
    },
    applyProps: (p) => {
      applyProps(p);
      if ("listens" in p || "feedback_options" in p || "editable" in p) {
        rows.forEach((row, i) => fillActions(row, messages[i], i));
      }
      if ("placeholder" in p || "examples" in p) renderEmpty();
    },
  });
  if (props.save_history) {
    history = savedConversations(config, {
      load: (value) => component.setValue(value),
      startNew: () => {
        component.setValue([]);
        shell.emit("clear");
      },
    });
    shell.el.classList.add("cp-chat-with-history");
    shell.body.prepend(history.el);
    updateToolbar();
  }
  render();
  return component;
}

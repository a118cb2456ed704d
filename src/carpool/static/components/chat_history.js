// Saved conversations for a Chatbot with save_history (ChatInterface(save_history=True)): kept in this
// browser's localStorage only (per page path and chatbot), listed beside the chat; "New chat" starts an
// empty one, a click on a saved one shows it again, × forgets it. Nothing of it reaches the server.
import { h } from "./base.js";

const MAX_SAVED = 50;
const SAVE_DELAY_MS = 400; // a streamed reply changes the value per token: write once it settles

function titleOf(conversation) {
  let text = "";
  for (const message of conversation) {
    if (message.role !== "user") continue;
    for (const part of message.content || []) if (part.type === "text") text += part.text;
    if (text) break;
  }
  text = text.trim();
  return text.length > 40 ? `${text.slice(0, 40)}…` : text || "Conversation";
}

export function savedConversations(config, actions) {
  const key = `carpool-chats:${location.pathname}:${config.id}`;
  let saved = read();
  let current = null; // the id of the conversation shown, once it has a message
  let timer = null;
  const newChat = h("button", { type: "button", class: "cp-button cp-secondary cp-size-sm", text: "+ New chat" });
  const list = h("ul", { class: "cp-chat-saved" });
  const el = h("nav", { class: "cp-chat-history", "aria-label": "Saved conversations" }, newChat, list);

  function read() {
    try {
      const value = JSON.parse(localStorage.getItem(key) || "[]");
      return Array.isArray(value) ? value.filter((c) => c && Array.isArray(c.messages)) : [];
    } catch {
      return [];
    }
  }

  function write() {
    try {
      localStorage.setItem(key, JSON.stringify(saved.slice(0, MAX_SAVED)));
    } catch (err) {
      console.warn("carpool: could not save the conversation", err);
    }
  }

  function renderList() {
    list.replaceChildren(
      ...saved.map((conversation) => {
        const open = h("button", { type: "button", class: "cp-chat-saved-open", text: titleOf(conversation.messages) });
        if (conversation.id === current) open.setAttribute("aria-current", "true");
        open.addEventListener("click", () => {
          flush();
          current = conversation.id;
          actions.load(conversation.messages);
          renderList();
        });
        const forget = h("button", { type: "button", class: "cp-msg-action", text: "×" });
        forget.setAttribute("aria-label", `Delete ${titleOf(conversation.messages)}`);
        forget.addEventListener("click", () => {
          saved = saved.filter((c) => c.id !== conversation.id);
          if (current === conversation.id) current = null;
          write();
          renderList();
        });
        return h("li", { class: "cp-chat-saved-item" }, open, forget);
      }),
    );
  }

  // A pending write goes out before the page goes away or another conversation takes the chat.
  function flush() {
    if (timer === null) return;
    clearTimeout(timer);
    timer = null;
    write();
    renderList();
  }
  window.addEventListener("pagehide", flush);

  newChat.addEventListener("click", () => {
    flush();
    current = null;
    actions.startNew();
    renderList();
  });
  renderList();

  return {
    el,
    update(messages) {
      if (!messages.length) return;
      if (current === null) {
        current = `${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
        saved.unshift({ id: current, messages });
      } else {
        const entry = saved.find((c) => c.id === current);
        if (entry) entry.messages = messages;
        else saved.unshift({ id: current, messages });
      }
      clearTimeout(timer);
      timer = setTimeout(() => {
        timer = null;
        write();
        renderList();
      }, SAVE_DELAY_MS);
    },
  };
}

// Draggable: a row or column whose children the user reorders by dragging them (or, from the keyboard,
// with the arrow keys on an item's handle). The order lives in the page only; the server never hears of it.

import { h } from "./components/base.js";

const KEYS = { row: { ArrowLeft: -1, ArrowRight: 1 }, column: { ArrowUp: -1, ArrowDown: 1 } };

/** Wrap each rendered child of `el` in an item with a handle; items move within `el`. */
export function makeDraggable(el, orientation) {
  const items = [...el.children].map((child) => {
    const handle = h("button", { type: "button", class: "cp-drag-handle", text: "⠿" });
    handle.setAttribute("aria-label", "Move this item (drag, or use the arrow keys)");
    const item = h("div", { class: "cp-drag-item", draggable: "true" }, handle, child);
    handle.addEventListener("keydown", (e) => {
      const step = KEYS[orientation][e.key];
      if (!step) return;
      e.preventDefault();
      move(item, step);
      handle.focus();
    });
    return item;
  });
  el.replaceChildren(...items);

  function move(item, step) {
    const siblings = [...el.children];
    const target = siblings.indexOf(item) + step;
    if (target < 0 || target >= siblings.length) return;
    if (step < 0) el.insertBefore(item, siblings[target]);
    else el.insertBefore(item, siblings[target].nextSibling);
  }

  let dragged = null;
  el.addEventListener("dragstart", (e) => {
    dragged = e.target.closest(".cp-drag-item");
    if (!dragged || dragged.parentElement !== el) return;
    dragged.classList.add("cp-dragging");
    e.dataTransfer.effectAllowed = "move";
    e.dataTransfer.setData("text/plain", "");
  });
  el.addEventListener("dragover", (e) => {
    if (!dragged) return;
    e.preventDefault();
    const over = e.target.closest(".cp-drag-item");
    if (!over || over === dragged || over.parentElement !== el) return;
    const box = over.getBoundingClientRect();
    const after = orientation === "row" ? e.clientX > box.left + box.width / 2 : e.clientY > box.top + box.height / 2;
    el.insertBefore(dragged, after ? over.nextSibling : over);
  });
  el.addEventListener("drop", (e) => e.preventDefault());
  el.addEventListener("dragend", () => {
    if (dragged) dragged.classList.remove("cp-dragging");
    dragged = null;
  });
}

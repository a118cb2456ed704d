// Turn /config's layout tree into DOM: layouts (row, column, group, accordion, tabs/tab) here, components
// through their own modules in components/<type>.js, and the examples table.
//
// Every block, layout or component, ends up in `blocks` (id -> object with el/applyUpdate/on), so a
// function may return updates for layouts too (e.g. show a hidden Column).

import { markOverflow, revealInStrip } from "./overflow.js";
import { h } from "./components/base.js";
import { makeDraggable } from "./draggable.js";
import { renderExamples } from "./examples.js";

const LAYOUTS = new Set([
  "row", "column", "group", "accordion", "tabs", "tab", "tabitem", "form", "box", "sidebar", "draggable",
  "walkthrough",
]);
const NO_MODULE = new Set([...LAYOUTS, "examples", "render"]);
const ALIASES = { text: "textbox", tabitem: "tab", step: "tab", dataset: "examples", highlight: "json" };

export function blockType(config) {
  const t = String(config.type || "").toLowerCase();
  return ALIASES[t] || t;
}

/** Import every component module the config needs, once, before rendering (render stays synchronous). */
export async function loadModules(configs) {
  const types = new Set();
  for (const c of configs) {
    const t = blockType(c);
    if (!NO_MODULE.has(t)) types.add(t);
  }
  const modules = new Map();
  await Promise.all(
    [...types].map(async (t) => {
      try {
        modules.set(t, await import(`./components/${t}.js`));
      } catch (err) {
        console.warn(`carpool: no front end for component type "${t}"`, err);
      }
    }),
  );
  return modules;
}

/** A layout's public object: the same shape as a component's, with no value. */
function layoutBlock(config, el, extra = {}) {
  const listeners = new Map();
  const block = {
    id: config.id,
    type: blockType(config),
    el,
    getValue: () => null,
    setValue: () => {},
    reset: () => {},
    on(event, fn) {
      if (!listeners.has(event)) listeners.set(event, new Set());
      listeners.get(event).add(fn);
      return () => listeners.get(event).delete(fn);
    },
    emit(event, payload) {
      for (const fn of listeners.get(event) || []) fn(payload);
    },
    applyUpdate(props) {
      if ("visible" in props) el.hidden = props.visible === false;
      if (extra.applyProps) extra.applyProps(props);
    },
  };
  el.setAttribute("data-testid", `component-${config.id}`);
  if (config.props && config.props.elem_id) el.id = config.props.elem_id;
  if (config.props && config.props.visible === false) el.hidden = true;
  for (const cls of [].concat((config.props && config.props.elem_classes) || [])) el.classList.add(cls);
  return block;
}

function sizeFlex(el, props) {
  if (props.scale !== undefined && props.scale !== null) el.style.flexGrow = String(props.scale);
  if (props.min_width) el.style.minWidth = `min(${props.min_width}px, 100%)`;
}

export class Renderer {
  /**
   * @param {object} opts {configs: Map<id, config>, modules, ctxFor(config) -> ctx, onExample}
   */
  constructor(opts) {
    this.configs = opts.configs;
    this.modules = opts.modules;
    this.ctxFor = opts.ctxFor;
    this.onExample = opts.onExample;
    this.onRender = opts.onRender;
    this.blocks = new Map();
  }

  render(node) {
    if (node.id === 0 || node.id === undefined) {
      const root = h("div", { class: "cp-column cp-root-column" });
      this.appendChildren(root, node.children || []);
      return root;
    }
    const config = this.configs.get(node.id) || { id: node.id, type: "column", props: {} };
    const type = blockType(config);
    if (type === "tabs") return this.renderTabs(config, node.children || []);
    if (type === "walkthrough") return this.renderTabs(config, node.children || [], { steps: true });
    if (type === "tab") return this.renderTabs({ id: `auto-${node.id}`, type: "tabs", props: {} }, [node]);
    if (type === "accordion") return this.renderAccordion(config, node.children || []);
    if (type === "sidebar") return this.renderSidebar(config, node.children || []);
    if (LAYOUTS.has(type)) return this.renderContainer(config, type, node.children || []);
    if (type === "examples") return this.renderExamplesBlock(config);
    if (type === "render") return this.renderArea(config);
    return this.renderComponent(config, type);
  }

  /** Children in order; consecutive Tab children with no Tabs parent form one tab set. */
  appendChildren(parent, children) {
    for (let i = 0; i < children.length; i += 1) {
      const config = this.configs.get(children[i].id);
      if (config && blockType(config) === "tab") {
        const run = [];
        for (; i < children.length; i += 1) {
          const c = this.configs.get(children[i].id);
          if (!c || blockType(c) !== "tab") break;
          run.push(children[i]);
        }
        i -= 1;
        parent.append(this.renderTabs({ id: `auto-${run[0].id}`, type: "tabs", props: {} }, run));
      } else {
        parent.append(this.render(children[i]));
      }
    }
  }

  renderContainer(config, type, children) {
    const props = config.props || {};
    const draggable = type === "draggable";
    const cls = type === "form" || type === "box" ? "group" : draggable ? (props.orientation === "row" ? "row" : "column") : type;
    const el = h("div", { class: `cp-${cls}` });
    if (draggable) el.classList.add("cp-draggable");
    if (type === "row" && props.equal_height) el.classList.add("cp-equal-height");
    if (props.variant) el.classList.add(`cp-variant-${props.variant}`);
    if (type === "column") sizeFlex(el, props);
    this.blocks.set(config.id, layoutBlock(config, el));
    this.appendChildren(el, children);
    if (draggable) makeDraggable(el, props.orientation === "row" ? "row" : "column");
    return el;
  }

  renderAccordion(config, children) {
    const props = config.props || {};
    const summary = h("summary", { class: "cp-accordion-label", text: props.label || "" });
    const content = h("div", { class: "cp-accordion-body cp-column" });
    const el = h("details", { class: "cp-accordion", open: props.open !== false }, summary, content);
    const block = layoutBlock(config, el, {
      applyProps: (p) => {
        if ("label" in p) summary.textContent = p.label || "";
        if ("open" in p) el.open = Boolean(p.open);
      },
    });
    el.addEventListener("toggle", () => block.emit(el.open ? "expand" : "collapse"));
    this.blocks.set(config.id, block);
    this.appendChildren(content, children);
    return el;
  }

  /** A panel fixed to one edge of the page; a button opens and closes it (on a phone it overlays). */
  renderSidebar(config, children) {
    const props = config.props || {};
    const side = props.position === "right" ? "right" : "left";
    const content = h("div", { class: "cp-sidebar-body cp-column" });
    const toggle = h("button", { type: "button", class: "cp-sidebar-toggle", text: "☰" });
    toggle.setAttribute("aria-label", props.label ? `Toggle ${props.label}` : "Toggle sidebar");
    const el = h("aside", { class: `cp-sidebar cp-sidebar-${side}` }, toggle, content);
    if (props.label) el.setAttribute("aria-label", props.label);
    if (props.width) el.style.setProperty("--cp-sidebar-width", String(props.width));
    let open = false;
    const setOpen = (wanted) => {
      open = Boolean(wanted);
      el.classList.toggle("cp-open", open);
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      content.inert = !open;
      document.body.classList.toggle(`cp-sidebar-open-${side}`, open);
      document.body.style.setProperty("--cp-sidebar-width", String(props.width || "320px"));
    };
    const block = layoutBlock(config, el, { applyProps: (p) => ("open" in p ? setOpen(p.open) : undefined) });
    toggle.addEventListener("click", () => {
      setOpen(!open);
      block.emit(open ? "expand" : "collapse");
    });
    setOpen(props.open !== false);
    this.blocks.set(config.id, block);
    this.appendChildren(content, children);
    return el;
  }

  /** Tabs, or with `steps` a Walkthrough: the same strip drawn as numbered steps, earlier ones done. */
  renderTabs(config, children, { steps = false } = {}) {
    const tablist = h("div", { class: "cp-tablist", role: "tablist" });
    const el = h("div", { class: steps ? "cp-tabs cp-walkthrough" : "cp-tabs" }, tablist);
    const tabs = [];
    let tabsBlock = null;
    const select = (index, focus, emit = true) => {
      tabs.forEach((t, i) => {
        const on = i === index;
        t.button.setAttribute("aria-selected", on ? "true" : "false");
        t.button.classList.toggle("cp-step-done", steps && i < index);
        t.button.tabIndex = on ? 0 : -1;
        t.panel.hidden = !on;
      });
      if (focus) tabs[index].button.focus();
      revealInStrip(tablist, tabs[index].button);
      if (!emit) return;
      tabs[index].block.emit("select");
      if (tabsBlock) {
        tabsBlock.emit("select");
        tabsBlock.emit("change");
      }
    };
    children.forEach((child, index) => {
      const tabConfig = this.configs.get(child.id) || { id: child.id, type: "tab", props: {} };
      const props = tabConfig.props || {};
      const button = h("button", {
        type: "button", role: "tab", class: "cp-tab", id: `cp-tab-${child.id}`,
        "aria-controls": `cp-tabpanel-${child.id}`, text: props.label || `Tab ${index + 1}`,
      });
      const panel = h("div", {
        class: "cp-tabpanel cp-column", role: "tabpanel", id: `cp-tabpanel-${child.id}`,
        "aria-labelledby": `cp-tab-${child.id}`,
      });
      const block = layoutBlock(tabConfig, panel, {
        applyProps: (p) => {
          if ("label" in p) button.textContent = p.label || "";
          if ("visible" in p) button.hidden = p.visible === false;
          if ("interactive" in p) button.disabled = p.interactive === false;
        },
      });
      panel.setAttribute("data-testid", `component-${child.id}`);
      button.hidden = props.visible === false;
      button.disabled = props.interactive === false;
      if (props.scale) button.style.flexGrow = String(props.scale); // Gradio's relative width of the tab
      button.addEventListener("click", () => select(index, false));
      tabs.push({ button, panel, block });
      this.blocks.set(child.id, block);
      tablist.append(button);
      el.append(panel);
      this.appendChildren(panel, child.children || []);
    });
    // Arrow keys move between tabs (WAI-ARIA tabs pattern); Tab moves into the panel.
    tablist.addEventListener("keydown", (e) => {
      const current = tabs.findIndex((t) => t.button === document.activeElement);
      if (current < 0) return;
      const step = { ArrowRight: 1, ArrowLeft: -1, Home: -current, End: tabs.length - 1 - current }[e.key];
      if (step === undefined) return;
      e.preventDefault();
      select((current + step + tabs.length) % tabs.length, true);
    });
    const indexOf = (wanted) => {
      const byId = children.findIndex((c) => (this.configs.get(c.id)?.props || {}).id === wanted);
      if (byId >= 0) return byId;
      return Number.isInteger(wanted) && wanted >= 0 && wanted < children.length ? wanted : -1;
    };
    const selected = (config.props || {}).selected;
    const initial = selected === null || selected === undefined ? 0 : Math.max(0, indexOf(selected));
    if (tabs.length) select(initial, false, false);
    markOverflow(tablist); // on a narrow screen the strip scrolls: show that it does
    if (typeof config.id === "number") {
      tabsBlock = layoutBlock(config, el, {
        applyProps: (p) => {
          if ("selected" in p) {
            const i = indexOf(p.selected);
            if (i >= 0) select(i, false);
          }
        },
      });
      this.blocks.set(config.id, tabsBlock);
    }
    return el;
  }

  /** Where a render function's blocks go: its value (a run) replaces the content (app.js showRun). */
  renderArea(config) {
    const props = config.props || {};
    const el = h("div", { class: `cp-${props.row ? "row" : "column"} cp-render` });
    const block = layoutBlock(config, el);
    block.setValue = (run) => {
      if (run && this.onRender) this.onRender(config, run, el);
    };
    this.blocks.set(config.id, block);
    return el;
  }

  renderExamplesBlock(config) {
    const el = renderExamples(config, {
      configs: this.configs,
      client: this.ctxFor(config).client,
      onSelect: (row) => this.onExample(config, row),
    });
    const block = layoutBlock(config, el);
    block.selected = null;
    block.getValue = () => block.selected; // the chosen example's index
    this.blocks.set(config.id, block);
    return el;
  }

  renderComponent(config, type) {
    const module = this.modules.get(type);
    if (!module) {
      const el = h("div", { class: "cp-block cp-unsupported", text: `Unsupported component: ${config.type}` });
      this.blocks.set(config.id, layoutBlock(config, el));
      return el;
    }
    const component = module.create(config, this.ctxFor(config));
    if (config.props && config.props.container === false) component.el.classList.add("cp-no-container");
    this.blocks.set(config.id, component);
    return component.el;
  }
}

// What every component shares: the block wrapper, its label, common props and the event plumbing.
//
// A component module builds its own input/display inside `shell.body` and hands `shell.finish()` the
// few functions only it knows (read/write its wire value, apply its own props). `finish` returns the
// public component object the rest of the front end uses:
//   { id, type, el, getValue(), setValue(wire), applyUpdate(props), on(event, fn), reset() }

export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (value === true) node.setAttribute(key, "");
    else node.setAttribute(key, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function inputId(config, suffix = "") {
  return `cp-${config.id}-input${suffix}`;
}

function sameValue(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

export function formatBytes(n) {
  if (n === null || n === undefined) return "";
  const units = ["B", "KB", "MB", "GB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i += 1;
  }
  return `${n.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

/** Choices arrive as ["a", "b"] or [["Label", "value"], ...]: normalise to [{label, value}]. */
export function normalizeChoices(choices) {
  return (choices || []).map((c) =>
    Array.isArray(c) ? { label: String(c[0]), value: c[1] } : { label: String(c), value: c },
  );
}

export class Shell {
  /**
   * @param {{id: number, type: string, props: object}} config
   * @param {object} ctx  {client, interactive}
   * @param {{labelTag?: string, labelFor?: boolean, noLabel?: boolean, tag?: string}} [opts]
   */
  constructor(config, ctx, opts = {}) {
    this.config = config;
    this.ctx = ctx;
    this.props = { ...(config.props || {}) };
    this.listeners = new Map();
    this.interactive = ctx.interactive !== false;
    const tag = opts.tag || "div";
    this.el = h(tag, { class: `cp-block cp-type-${config.type}`, "data-testid": `component-${config.id}` });
    this.el.dataset.type = config.type;
    if (!opts.noLabel) {
      const labelTag = opts.labelTag || "label";
      this.label = h(labelTag, { class: "cp-label", id: `cp-${config.id}-label` });
      if (labelTag === "label" && opts.labelFor !== false) this.label.htmlFor = inputId(config);
      this.info = h("p", { class: "cp-info", id: `cp-${config.id}-info` });
      this.el.append(this.label, this.info);
    }
    this.body = h("div", { class: "cp-body" });
    this.el.append(this.body);
    if (this.props.value_error) {
      // The server could not load this component's default (a missing file, say): say so, render the rest.
      this.el.dataset.valueError = "true";
      this.el.append(h("p", { class: "cp-value-error", role: "note", text: this.props.value_error }));
    }
    this.applyCommon(this.props);
  }

  applyCommon(props) {
    const el = this.el;
    if ("visible" in props) el.hidden = props.visible === false;
    if ("elem_id" in props && props.elem_id) el.id = props.elem_id;
    if ("elem_classes" in props) {
      const extra = [].concat(props.elem_classes || []);
      el.className = [`cp-block cp-type-${this.config.type}`, ...extra].join(" ");
      el.classList.toggle("cp-static", !this.interactive);
    }
    if ("scale" in props && props.scale !== null && props.scale !== undefined) {
      el.style.flexGrow = String(props.scale);
    }
    if ("min_width" in props && props.min_width) el.style.minWidth = `min(${props.min_width}px, 100%)`;
    if (this.label) {
      if ("label" in props || !this.labelSet) {
        const text = props.label ?? this.props.label ?? "";
        // An unlabelled input still needs an accessible name: its kind ("Textbox"), read but not shown.
        this.label.textContent = text || this.config.type.charAt(0).toUpperCase() + this.config.type.slice(1);
        this.labelShown = Boolean(text) && this.props.show_label !== false;
        this.labelSet = true;
      }
      this.label.classList.toggle("cp-sr-only", !this.labelShown || this.props.show_label === false);
      if ("info" in props || !this.infoSet) {
        this.info.textContent = props.info ?? this.props.info ?? "";
        this.info.hidden = !this.info.textContent;
        this.infoSet = true;
      }
    }
  }

  on(event, fn) {
    if (!this.listeners.has(event)) this.listeners.set(event, new Set());
    this.listeners.get(event).add(fn);
    return () => this.listeners.get(event).delete(fn);
  }

  emit(event, payload) {
    for (const fn of this.listeners.get(event) || []) fn(payload);
  }

  /** The user edited the value: "input", then "change" if it really changed. */
  userInput() {
    this.emit("input");
    this.noteValue();
  }

  /** Emit "change" when the current wire value differs from the last one seen. */
  noteValue() {
    const now = this.impl.getValue();
    if (!sameValue(now, this.lastValue)) {
      this.lastValue = now;
      this.emit("change");
    }
  }

  /**
   * @param {{getValue: () => any, setValue: (v: any) => void, applyProps?: (p: object) => void,
   *          setInteractive?: (on: boolean) => void}} impl
   */
  finish(impl) {
    this.impl = impl;
    const initial = this.props.value;
    if (initial !== undefined && initial !== null) impl.setValue(initial);
    this.lastValue = impl.getValue();
    if (impl.setInteractive) impl.setInteractive(this.interactive);
    this.el.classList.toggle("cp-static", !this.interactive);
    const component = {
      id: this.config.id,
      type: this.config.type,
      el: this.el,
      shell: this,
      getValue: () => impl.getValue(),
      setValue: (value) => {
        impl.setValue(value);
        this.noteValue();
      },
      applyUpdate: (props) => this.applyUpdate(props),
      on: (event, fn) => this.on(event, fn),
      reset: () => component.setValue(initial === undefined ? null : initial),
    };
    this.component = component;
    return component;
  }

  applyUpdate(update) {
    const props = { ...update };
    delete props.__type__;
    Object.assign(this.props, props);
    this.applyCommon(props);
    if ("interactive" in props && props.interactive !== null) {
      this.interactive = props.interactive !== false;
      this.el.classList.toggle("cp-static", !this.interactive);
      if (this.impl.setInteractive) this.impl.setInteractive(this.interactive);
    }
    if (this.impl.applyProps) this.impl.applyProps(props);
    if ("value" in props) this.component.setValue(props.value);
  }
}

// HTML: the app author's own markup. Plain: shown as given (scripts inserted this way never run).
// Templated (html_template / css_template / js_on_load / server_functions / extra props): the
// component's module (served by the app at component/<id>/script.js, since the page runs no inline
// script) draws the templates over `value` and the props, with the CSS scoped to this component, and
// runs js_on_load once with element, props (setting props.value re-renders and changes the value),
// trigger(event, data), server.<function>(...args) and watch(names, callback).
import { Shell, h } from "./base.js";

const ROOT = new URL("../../", import.meta.url);
const STANDARD = new Set(["label", "info", "show_label", "container", "scale", "min_width", "interactive", "visible",
  "elem_id", "elem_classes", "value", "value_error", "templated", "min_height", "max_height", "padding",
  "autoscroll", "apply_default_css", "head", "server_functions", "props", "key", "preserved_by_key", "__type__"]);

function sizeHost(host, props) {
  if (props.max_height) host.style.maxHeight = typeof props.max_height === "number" ? `${props.max_height}px` : props.max_height;
  if (props.min_height) host.style.minHeight = typeof props.min_height === "number" ? `${props.min_height}px` : props.min_height;
  host.classList.toggle("cp-html-scroll", Boolean(props.max_height));
  host.classList.toggle("cp-html-padded", Boolean(props.padding));
}

/**
 * Bring `target`'s children in line with `source`'s, keeping nodes that stay (same kind, same tag): a
 * re-render keeps the elements js_on_load put listeners on, as long as the template draws them again.
 */
function morph(target, source) {
  const next = [...source.childNodes];
  next.forEach((node, i) => {
    const current = target.childNodes[i];
    if (!current) target.append(node);
    else if (current.nodeType !== node.nodeType || current.nodeName !== node.nodeName) current.replaceWith(node);
    else if (node.nodeType === Node.ELEMENT_NODE) {
      for (const attr of [...current.attributes]) if (!node.hasAttribute(attr.name)) current.removeAttribute(attr.name);
      for (const attr of [...node.attributes]) {
        if (current.getAttribute(attr.name) !== attr.value) current.setAttribute(attr.name, attr.value);
      }
      morph(current, node);
    } else if (current.nodeValue !== node.nodeValue) current.nodeValue = node.nodeValue;
  });
  while (target.childNodes.length > next.length) target.lastChild.remove();
}

/** `server.name(...args)`: call the app's server function through the queue; resolves with its result. */
function serverFunctions(client, table) {
  const call = (index, args) =>
    new Promise((resolve, reject) => {
      client
        .join(index, [args], null, (msg) => {
          if (msg.msg !== "process_completed") return;
          if (msg.status === "completed") resolve(msg.output && msg.output.data ? msg.output.data[0] : null);
          else reject(new Error((msg.error && msg.error.message) || "the server function failed"));
        })
        .catch(reject);
    });
  const server = {};
  for (const [name, index] of Object.entries(table || {})) server[name] = (...args) => call(index, args);
  return server;
}

export function create(config, ctx) {
  const shell = new Shell(config, ctx, { noLabel: true });
  const props = shell.props;
  const host = h("div", { class: "cp-html-content" });
  shell.body.append(host);
  sizeHost(host, props);
  host.addEventListener("click", () => shell.emit("click"));
  let value = "";

  const scrolled = () => {
    if (props.autoscroll) host.scrollTop = host.scrollHeight;
  };
  if (!props.templated) {
    return shell.finish({
      getValue: () => value,
      setValue: (v) => {
        value = v === null || v === undefined ? "" : String(v);
        host.innerHTML = value;
        scrolled();
      },
      applyProps: (p) => sizeHost(host, { ...props, ...p }),
    });
  }

  const style = h("style");
  shell.el.append(style);
  const state = { ...(props.props || {}), value: null };
  const watchers = [];
  let module = null;

  function draw(changed) {
    if (!module) return;
    const drawn = document.createElement("template");
    drawn.innerHTML = module.html(state.value, reactive);
    morph(host, drawn.content);
    const css = module.css(state.value, reactive);
    style.textContent = css ? `[data-testid="component-${config.id}"] {\n${css}\n}` : "";
    scrolled();
    for (const { names, callback } of watchers) {
      if (!changed || names.some((n) => changed.includes(n))) callback();
    }
  }

  const reactive = new Proxy(state, {
    set(target, name, next) {
      target[name] = next;
      draw([String(name)]);
      if (name === "value") {
        value = next;
        shell.userInput();
      }
      return true;
    },
  });
  const trigger = (event, data) => shell.emit(event, data === undefined ? null : data);
  const watch = (names, callback) => watchers.push({ names: [].concat(names), callback });

  const component = shell.finish({
    getValue: () => value,
    setValue: (v) => {
      value = v === undefined ? null : v;
      state.value = value;
      draw(["value"]);
    },
    applyProps: (p) => {
      sizeHost(host, { ...props, ...p });
      const changed = Object.keys(p).filter((name) => !STANDARD.has(name));
      for (const name of changed) state[name] = p[name];
      if (changed.length) draw(changed);
    },
  });

  import(new URL(`component/${config.id}/script.js`, ROOT).href)
    .then(async (loaded) => {
      module = loaded;
      state.value = value;
      draw(null);
      await module.onLoad(host, reactive, trigger, serverFunctions(ctx.client, props.server_functions), watch);
    })
    .catch((err) => console.error(`carpool: the HTML component ${config.id} failed`, err));
  return component;
}

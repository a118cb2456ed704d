// Bootstrap: read the app's config (inlined by the server, else GET /config), render the page, wire the
// dependencies, fire the `demo.load` ones. Everything is relative to the app's root, found from this
// module's own URL (<root>/static/app.js), so the app also works mounted under a path prefix.

import { Client } from "./client.js";
import { h } from "./components/base.js";
import { Dependencies } from "./events.js";
import { Renderer, blockType, loadModules } from "./render.js";

const ROOT = new URL("../", import.meta.url);

async function readConfig(client) {
  const inline = document.getElementById("carpool-config");
  const text = inline ? inline.textContent.trim() : "";
  if (text && !text.startsWith("<!--")) {
    try {
      return JSON.parse(text);
    } catch (err) {
      console.warn("carpool: inline config is not JSON; fetching /config", err);
    }
  }
  return client.getJson("config");
}

function applyTheme(config) {
  const params = new URLSearchParams(location.search);
  const mode = params.get("__theme") || (config.theme && config.theme.mode) || "auto";
  if (mode === "light" || mode === "dark") document.documentElement.dataset.theme = mode;
  const vars = config.theme && config.theme.css_variables;
  if (vars) document.head.append(h("style", { "data-source": "theme", text: themeCss(vars) }));
}

/** A theme's CSS variables for light and dark mode, with the same selectors style.css uses for dark. */
function themeCss(vars) {
  const block = (values) =>
    Object.entries(values || {})
      .filter(([name, value]) => /^--cp-[a-z0-9-]+$/.test(name) && !/[;{}<>\\]/.test(String(value)))
      .map(([name, value]) => `  ${name}: ${value};`)
      .join("\n");
  const dark = block(vars.dark);
  return `:root {\n${block(vars.light)}\n}\n` +
    `@media (prefers-color-scheme: dark) {\n:root:not([data-theme="light"]) {\n${dark}\n}\n}\n` +
    `:root[data-theme="dark"] {\n${dark}\n}\n`;
}

/**
 * Gradio's rule: a component is editable unless it is only ever an output (or says otherwise).
 * `add(deps)` counts more listeners (a render run's) before their components are built.
 */
function interactivity(config) {
  const inputs = new Set();
  const outputs = new Set();
  const add = (deps) => {
    for (const dep of deps || []) {
      for (const id of dep.inputs || []) inputs.add(id);
      for (const id of dep.outputs || []) outputs.add(id);
    }
  };
  add(config.dependencies);
  const of = (component) => {
    const explicit = component.props && component.props.interactive;
    if (explicit === true || explicit === false) return explicit;
    return inputs.has(component.id) || !outputs.has(component.id);
  };
  return { of, add };
}

/**
 * Show a render run in its area: build its blocks there, wire its listeners, drop the last run's.
 * A block whose `key` the last run also had keeps the value the user gave it. Runs that arrive out of
 * order (a slow one after a newer one) are not shown.
 */
function renderRuns({ renderer, configs, modules, interactive, deps }) {
  const shown = new Map(); // area id -> {run, ids}
  return async (area, spec, el) => {
    const latest = { run: spec.run, ids: (shown.get(area.id) || {}).ids || [] };
    shown.set(area.id, latest);
    for (const [type, module] of await loadModules(spec.components || [])) modules.set(type, module);
    if (shown.get(area.id) !== latest) return;
    const kept = new Map();
    for (const id of latest.ids) {
      const config = configs.get(id);
      const block = renderer.blocks.get(id);
      const key = config && config.props ? config.props.key : undefined;
      if (block && key !== undefined && key !== null) kept.set(JSON.stringify(key), block.getValue());
      renderer.blocks.delete(id);
      configs.delete(id);
    }
    deps().removeDynamic(area.id);
    for (const config of spec.components || []) configs.set(config.id, config);
    interactive.add(spec.dependencies);
    const statuses = [...el.children].filter((child) => child.classList.contains("cp-status"));
    el.replaceChildren(...statuses); // the render listener's own status stays
    renderer.appendChildren(el, spec.layout || []);
    for (const config of spec.components || []) {
      const key = config.props ? config.props.key : undefined;
      const block = renderer.blocks.get(config.id);
      const keep = (config.props && config.props.preserved_by_key) || [];
      if (block && key !== undefined && key !== null && keep.includes("value") && kept.has(JSON.stringify(key))) {
        block.setValue(kept.get(JSON.stringify(key)));
      }
    }
    deps().addDynamic(area.id, spec.dependencies || []);
    latest.ids = (spec.components || []).map((c) => c.id);
  };
}

function footer(onApi) {
  const api = h("a", { href: "?view=api", class: "cp-footer-link", "data-testid": "open-api", text: "Use via API" });
  api.addEventListener("click", (e) => {
    if (e.ctrlKey || e.metaKey || e.shiftKey) return; // let the browser open it in a new tab
    e.preventDefault();
    onApi();
  });
  return h("footer", { class: "cp-footer" }, api, h("span", { class: "cp-dot", "aria-hidden": "true", text: "·" }),
    h("span", { class: "cp-muted", text: "Built with carpool" }));
}

function connectionBanner(client) {
  const banner = h("div", { class: "cp-banner", role: "status", hidden: true, "data-testid": "connection" });
  client.onConnection((state) => {
    banner.hidden = state === "open";
    banner.textContent = state === "closed" ? "The server closed the connection." : "Reconnecting to the server…";
  });
  return banner;
}

async function openApi(client, config) {
  const { openApiPanel } = await import("./api.js");
  openApiPanel(client, config);
}

function showFatal(mount, err) {
  const retry = h("button", { type: "button", class: "cp-button cp-primary", text: "Retry" });
  retry.addEventListener("click", () => location.reload());
  mount.replaceChildren(
    h("div", { class: "cp-fatal", role: "alert" },
      h("h1", { text: "This app could not be loaded" }), h("p", { text: err.message || String(err) }), retry),
  );
}

export async function boot(mount = document.getElementById("carpool-app") || document.body) {
  const client = new Client(ROOT);
  // Kept in the back/forward cache (persisted), the page may come back: only a real exit ends the session.
  window.addEventListener("pagehide", (e) => {
    if (!e.persisted) client.leave();
  });
  let config;
  try {
    config = await readConfig(client);
  } catch (err) {
    showFatal(mount, err);
    return null;
  }
  applyTheme(config);
  if (config.css) document.head.append(h("style", { "data-source": "app", text: config.css }));
  if (config.title) document.title = config.title;
  const configs = new Map((config.components || []).map((c) => [c.id, c]));
  const modules = await loadModules(config.components || []);
  const interactive = interactivity(config);
  let deps = null;
  const renderer = new Renderer({
    configs,
    modules,
    ctxFor: (c) => ({ client, interactive: interactive.of(c) }),
    onExample: (c, row) => deps.selectExample(c, row),
    onRender: (area, spec, el) => showRun(area, spec, el),
  });
  const showRun = renderRuns({ renderer, configs, modules, interactive, deps: () => deps });
  const body = renderer.render(config.layout || { id: 0, children: [] });
  const statusArea = h("div", { class: "cp-status-area" });
  // Title, description and article are components of the layout already (Interface places them as
  // Markdown); the config's copies only name the browser tab, as in Gradio.
  const main = h("main", { class: "cp-main" }, body, statusArea);
  mount.replaceChildren(connectionBanner(client), main, footer(() => openApi(client, config)));
  mount.classList.add("cp-app");
  mount.classList.toggle("cp-fill-width", Boolean(config.fill_width));
  mount.classList.toggle("cp-fill-height", Boolean(config.fill_height));
  mount.removeAttribute("aria-busy");
  deps = new Dependencies({
    deps: config.dependencies || [], blocks: renderer.blocks, configs, client, fallbackStatusArea: statusArea,
  });
  const onLoad = deps.wire();
  for (const dep of onLoad) deps.trigger(dep, null);
  if (new URLSearchParams(location.search).get("view") === "api") openApi(client, config);
  const app = { config, client, blocks: renderer.blocks, deps, blockType };
  window.carpool = app; // handy in the console and for tests; not an API
  return app;
}

boot();

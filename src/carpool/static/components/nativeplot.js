// LinePlot, BarPlot, ScatterPlot: a Vega-Lite chart of the wire value
// {"columns", "data", "datatypes", "mark"}, drawn by the vendored vega + vega-lite + vega-embed. Vega's
// expressions run through vega-interpreter (no eval), so the chart works under script-src 'self'.
// When the app listens to `select`, dragging over a continuous x brushes a range (sent as index
// [min, max]); `double_click` fires on a double click.
import { Shell, h } from "./base.js";

const VENDOR = new URL("../vendor/vega/", import.meta.url);
let libraries = null;

function loadScript(name) {
  return new Promise((resolve, reject) => {
    const script = h("script", { src: new URL(name, VENDOR).href });
    script.addEventListener("load", resolve);
    script.addEventListener("error", () => reject(new Error(`carpool: could not load ${name}`)));
    document.head.append(script);
  });
}

/** vega, vega-lite and vega-embed (classic scripts, in order), then the interpreter (a module). */
export function loadLibraries() {
  if (!libraries) {
    libraries = (async () => {
      for (const name of ["vega.min.js", "vega-lite.min.js", "vega-embed.min.js"]) await loadScript(name);
      const { expressionInterpreter } = await import(new URL("vega-interpreter.js", VENDOR).href);
      return { embed: window.vegaEmbed, expressionInterpreter };
    })();
  }
  return libraries;
}

/** Tooltip channels; x and y reuse their encodings so an aggregate/bin is not split by the tooltip. */
function tooltipFields(props, value, x, y) {
  const tip = props.tooltip;
  if (tip === false || tip === "none") return undefined;
  const fields =
    tip === "all" ? value.columns : Array.isArray(tip) ? tip : [props.x, props.y, props.color].filter(Boolean);
  const aggregated = Boolean(y.aggregate);
  return fields
    .filter((field) => !aggregated || field === props.x || field === props.y || field === props.color)
    .map((field) => {
      if (field === props.x) return { field, type: x.type, bin: x.bin, title: x.title };
      if (field === props.y) return { field, type: y.type, aggregate: y.aggregate, title: y.title };
      return { field, type: value.datatypes[field] || "nominal" };
    });
}

function xEncoding(props, value) {
  const type = value.datatypes[props.x] || "nominal";
  const x = {
    field: props.x,
    type,
    title: props.x_title ?? props.x,
    axis: { labelAngle: props.x_label_angle || 0, labels: props.x_axis_labels_visible !== false },
  };
  if (props.x_axis_format) x.axis.format = props.x_axis_format;
  if (props.x_lim) x.scale = { domain: props.x_lim };
  if (typeof props.x_bin === "number" && type === "quantitative") x.bin = { step: props.x_bin };
  if (props.sort) {
    x.sort = Array.isArray(props.sort) ? props.sort : { x: "ascending", "-x": "descending", y: "y", "-y": "-y" }[props.sort];
  }
  return x;
}

function yEncoding(props, value) {
  const y = { field: props.y, type: value.datatypes[props.y] || "quantitative", title: props.y_title ?? props.y };
  const aggregate = props.y_aggregate || (props.mark === "bar" || props.x_bin ? "sum" : null);
  if (aggregate) y.aggregate = aggregate;
  if (props.y_lim) y.scale = { domain: props.y_lim };
  if (props.y_axis_format) y.axis = { format: props.y_axis_format };
  return y;
}

function colorEncoding(props, value) {
  if (!props.color) return undefined;
  const color = { field: props.color, type: value.datatypes[props.color] || "nominal", title: props.color_title ?? props.color };
  if (props.color_map) color.scale = { domain: Object.keys(props.color_map), range: Object.values(props.color_map) };
  if (props.colors_in_legend) color.legend = { values: props.colors_in_legend };
  return color;
}

/** A brush over x, when the app listens to select and x is continuous (a band scale cannot be brushed). */
export function brushes(props, x) {
  return (props.listens || []).includes("select") && ["quantitative", "temporal"].includes(x.type) && !x.bin;
}

export function spec(props, value) {
  const rows = value.data.map((row) => Object.fromEntries(value.columns.map((c, i) => [c, row[i]])));
  const text = getComputedStyle(document.body).color;
  const x = xEncoding(props, value);
  const y = yEncoding(props, value);
  const params = brushes(props, x) ? [{ name: "brush", select: { type: "interval", encodings: ["x"] } }] : undefined;
  return {
    params,
    data: { values: rows },
    mark: { type: value.mark || props.mark, tooltip: true, ...(value.mark === "line" ? { point: false } : {}) },
    encoding: {
      x,
      y,
      color: colorEncoding(props, value),
      tooltip: tooltipFields(props, value, x, y),
    },
    title: props.title || undefined,
    width: "container",
    height: props.height || 300,
    autosize: { type: "fit-x", contains: "padding" },
    background: "transparent",
    config: {
      axis: { labelColor: text, titleColor: text, gridOpacity: 0.25 },
      legend: { labelColor: text, titleColor: text },
      title: { color: text },
      view: { stroke: null },
    },
  };
}

export function create(config, ctx) {
  const shell = new Shell(config, ctx, { labelTag: "span" });
  const chart = h("div", { class: "cp-plot", role: "img" });
  chart.setAttribute("aria-labelledby", `cp-${config.id}-label`);
  const caption = h("p", { class: "cp-info cp-plot-caption" });
  const empty = h("p", { class: "cp-plot-empty", text: "No data" });
  shell.body.append(chart, empty, caption);
  let value = null;
  let view = null;
  let drawing = 0;

  async function draw() {
    const ticket = ++drawing;
    const has = value && Array.isArray(value.columns) && Array.isArray(value.data);
    empty.hidden = Boolean(has);
    chart.hidden = !has;
    caption.textContent = shell.props.caption || "";
    caption.hidden = !shell.props.caption;
    if (view) {
      view.finalize();
      view = null;
    }
    if (!has) return;
    const { embed, expressionInterpreter } = await loadLibraries();
    if (ticket !== drawing) return; // a newer value arrived while the libraries loaded
    const result = await embed(chart, spec(shell.props, value), {
      actions: false,
      renderer: "svg",
      ast: true,
      expr: expressionInterpreter,
    });
    view = result.view;
    listen(view);
  }

  /** A finished brush is a select ({index: [min, max]}); a double click is double_click. */
  function listen(current) {
    const wired = new Set(shell.props.listens || []);
    if (wired.has("double_click")) current.addEventListener("dblclick", () => shell.emit("double_click"));
    brushed = null;
    if (!wired.has("select")) return;
    try {
      current.addSignalListener("brush", (_name, selected) => {
        const interval = selected && selected[shell.props.x];
        brushed = Array.isArray(interval) ? interval.map((v) => (v instanceof Date ? v.getTime() : v)) : null;
      });
    } catch {
      // no brush on this chart (a discrete x)
    }
  }

  // Brushing ends when the button is released (anywhere: the drag may leave the chart); only then is
  // the range the user's choice.
  let brushed = null;
  let dragging = false;
  chart.addEventListener("pointerdown", () => {
    dragging = true;
    brushed = null;
  });
  window.addEventListener("pointerup", () => {
    if (!dragging) return;
    dragging = false;
    if (brushed && chart.isConnected) shell.emit("select", { index: brushed, value: null, selected: true });
  });

  return shell.finish({
    getValue: () => value,
    setValue: (v) => {
      value = v === undefined ? null : v;
      draw();
    },
    applyProps: () => draw(),
  });
}

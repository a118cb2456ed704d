// Plot: a figure made in Python. matplotlib arrives as an image (a data: URL); Altair as a Vega-Lite
// spec, drawn by the vendored vega-embed with the expression interpreter (no eval), as the native plots.
import { Shell, h } from "./base.js";
import { loadLibraries } from "./nativeplot.js";

export function create(config, ctx) {
  const shell = new Shell(config, ctx, { labelTag: "span" });
  const image = h("img", { class: "cp-plot-image", alt: config.props.label || "Plot" });
  const chart = h("div", { class: "cp-plot", role: "img" });
  chart.setAttribute("aria-labelledby", `cp-${config.id}-label`);
  const empty = h("p", { class: "cp-plot-empty", text: "No plot" });
  shell.body.append(image, chart, empty);
  let value = null;
  let view = null;
  let drawing = 0;

  async function draw() {
    const ticket = ++drawing;
    if (view) {
      view.finalize();
      view = null;
    }
    const kind = value && typeof value.plot === "string" ? value.type : null;
    image.hidden = kind !== "matplotlib";
    chart.hidden = kind !== "altair";
    empty.hidden = kind === "matplotlib" || kind === "altair";
    if (kind === "matplotlib") image.src = value.plot.startsWith("data:image/") ? value.plot : "";
    if (kind !== "altair") return;
    const { embed, expressionInterpreter } = await loadLibraries();
    if (ticket !== drawing) return; // a newer value arrived while the libraries loaded
    const result = await embed(chart, JSON.parse(value.plot), {
      actions: false,
      renderer: "svg",
      ast: true,
      expr: expressionInterpreter,
    });
    view = result.view;
  }

  return shell.finish({
    getValue: () => value,
    setValue: (v) => {
      value = v === undefined ? null : v;
      draw();
    },
  });
}

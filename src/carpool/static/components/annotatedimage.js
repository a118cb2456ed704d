// AnnotatedImage: a base image with its labelled masks laid over it and a legend. Hovering (or
// focusing) a legend entry brings its mask forward and fades the others; clicking it emits "select"
// ({index, value: label}). Masks come as coloured RGBA PNGs; one whose label has no color_map entry
// is turned to a hue of its own, evenly spread round the colour wheel, as in Gradio.
// Wire value: {"image": FileData, "annotations": [{"image": FileData, "label": str}]}.
import { Shell, h } from "./base.js";

function hueOf(index, count) {
  return Math.round((index * 360) / Math.max(count, 1));
}

export function create(config, ctx) {
  const shell = new Shell(config, ctx, { labelTag: "span" });
  const stage = h("div", { class: "cp-annotated", "data-testid": "annotated-view" });
  const legend = h("div", { class: "cp-annotated-legend", role: "group" });
  legend.setAttribute("aria-label", "Annotations");
  const empty = h("div", { class: "cp-media-empty", text: "No image" });
  shell.body.append(stage, legend, empty);
  let value = null;

  function highlight(label) {
    for (const mask of stage.querySelectorAll(".cp-annotated-mask")) {
      mask.classList.toggle("cp-active", label !== null && mask.dataset.label === label);
      mask.classList.toggle("cp-inactive", label !== null && mask.dataset.label !== label);
    }
  }

  function render() {
    const base = value && ctx.client.fileUrl(value.image);
    const annotations = (value && Array.isArray(value.annotations) && value.annotations) || [];
    const colors = shell.props.color_map || {};
    empty.hidden = Boolean(base);
    stage.hidden = !base;
    legend.hidden = !base || !shell.props.show_legend || !annotations.length;
    stage.replaceChildren();
    legend.replaceChildren();
    if (!base) return;
    const height = shell.props.height;
    const img = h("img", { class: "cp-annotated-base", src: base, alt: shell.props.label || "annotated image" });
    if (height) img.style.maxHeight = typeof height === "number" ? `${height}px` : height;
    stage.append(img);
    annotations.forEach((ann, index) => {
      const mapped = colors[ann.label];
      const mask = h("img", { class: "cp-annotated-mask", src: ctx.client.fileUrl(ann.image), alt: `mask: ${ann.label}` });
      mask.dataset.label = ann.label;
      if (!mapped) mask.style.filter = `hue-rotate(${hueOf(index, annotations.length)}deg)`;
      stage.append(mask);
      const chip = h("button", { type: "button", class: "cp-annotated-chip", text: ann.label });
      chip.style.background = mapped ? `${mapped}88` : `hsl(${hueOf(index, annotations.length)} 100% 50% / 0.3)`;
      chip.addEventListener("mouseenter", () => highlight(ann.label));
      chip.addEventListener("focus", () => highlight(ann.label));
      chip.addEventListener("mouseleave", () => highlight(null));
      chip.addEventListener("blur", () => highlight(null));
      chip.addEventListener("click", () => shell.emit("select", { index, value: ann.label, selected: true }));
      legend.append(chip);
    });
  }

  return shell.finish({
    getValue: () => value,
    setValue: (v) => {
      value = v === undefined ? null : v;
      render();
    },
    applyProps: () => render(),
  });
}

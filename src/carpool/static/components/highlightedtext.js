// HighlightedText: tokens with a category (coloured mark + label) or a confidence (shaded by its value).
// Wire value: [{"token": str, "class_or_confidence": str | number | null}]. Clicking a token emits "select".
import { Shell, h } from "./base.js";

const PALETTE = ["#f97316", "#22c55e", "#3b82f6", "#a855f7", "#ef4444", "#eab308", "#14b8a6", "#ec4899"];

export function create(config, ctx) {
  const shell = new Shell(config, ctx, { labelTag: "span" });
  const text = h("div", { class: "cp-highlighted" });
  text.setAttribute("aria-labelledby", `cp-${config.id}-label`);
  const legend = h("ul", { class: "cp-highlight-legend" });
  shell.body.append(legend, text);
  let value = null;

  function colorOf(category, colors) {
    const mapped = (shell.props.color_map || {})[category];
    if (mapped) return mapped;
    if (!colors.has(category)) colors.set(category, PALETTE[colors.size % PALETTE.length]);
    return colors.get(category);
  }

  function render() {
    const colors = new Map();
    const items = Array.isArray(value) ? value : [];
    text.dir = shell.props.rtl ? "rtl" : "auto";
    text.replaceChildren(
      ...items.map((item, index) => {
        const label = item.class_or_confidence;
        if (label === null || label === undefined) return h("span", { text: item.token });
        const mark = h("mark", { class: "cp-highlight", text: item.token });
        if (typeof label === "number") {
          const alpha = Math.min(1, Math.abs(label));
          mark.style.background = label < 0 ? `rgb(59 130 246 / ${alpha})` : `rgb(239 68 68 / ${alpha})`;
        } else {
          mark.style.background = `${colorOf(String(label), colors)}55`;
          if (shell.props.show_inline_category !== false) {
            mark.append(h("span", { class: "cp-highlight-category", text: String(label) }));
          }
        }
        mark.addEventListener("click", () => shell.emit("select", { index, value: [item.token, label], selected: true }));
        return mark;
      }),
    );
    legend.hidden = !shell.props.show_legend || colors.size === 0;
    legend.replaceChildren(
      ...[...colors].map(([name, color]) => {
        const chip = h("li", { class: "cp-highlight", text: name });
        chip.style.background = `${color}55`;
        return chip;
      }),
    );
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

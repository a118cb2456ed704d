// Label: a classification result. Wire value: {"label": str, "confidences": [{"label", "confidence"}]}
// (a bare string or number is shown as the label).
import { Shell, h } from "./base.js";

export function create(config, ctx) {
  const shell = new Shell(config, ctx, { labelTag: "span" });
  const top = h("output", { class: "cp-label-top" });
  top.setAttribute("aria-labelledby", `cp-${config.id}-label`);
  const bars = h("ol", { class: "cp-confidences" });
  shell.body.append(top, bars);
  let value = null;

  function render() {
    const v = value;
    const isObject = v !== null && typeof v === "object";
    top.textContent = v === null ? "" : isObject ? String(v.label ?? "") : String(v);
    const confidences = isObject && Array.isArray(v.confidences) ? v.confidences : [];
    const limit = shell.props.num_top_classes || confidences.length;
    bars.replaceChildren(
      ...confidences.slice(0, limit).map((c) => {
        const pct = Math.max(0, Math.min(100, Number(c.confidence) * 100));
        const bar = h("span", { class: "cp-bar-fill" });
        bar.style.width = `${pct}%`;
        return h(
          "li",
          { class: "cp-confidence" },
          h("span", { class: "cp-confidence-name", text: String(c.label) }),
          h("span", { class: "cp-confidence-pct", text: `${pct.toFixed(1)}%` }),
          h("span", { class: "cp-bar" }, bar),
        );
      }),
    );
  }

  return shell.finish({
    getValue: () => value,
    setValue: (v) => {
      value = v === undefined ? null : v;
      render();
    },
    applyProps: (p) => {
      if ("num_top_classes" in p) render();
    },
  });
}

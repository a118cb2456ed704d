// ParamViewer: a function's parameters, each a collapsible row "name: type = default" whose body is the
// description (Markdown, through the same sanitiser as the Markdown component).
import { Shell, h } from "./base.js";
import { renderMarkdown } from "./markdown.js";

export function create(config, ctx) {
  const shell = new Shell(config, ctx, { noLabel: true });
  const header = h("h3", { class: "cp-params-header" });
  const list = h("div", { class: "cp-params" });
  shell.body.append(header, list);
  let value = null;

  function row(name, spec) {
    const signature = h("code", { class: "cp-param-signature" }, h("strong", { text: name }));
    if (spec.type) signature.append(h("span", { class: "cp-param-type", text: `: ${spec.type}` }));
    if (spec.default !== null && spec.default !== undefined) {
      signature.append(h("span", { class: "cp-param-default", text: ` = ${spec.default}` }));
    }
    const body = h("div", { class: "cp-prose cp-param-description" });
    body.innerHTML = renderMarkdown(spec.description || "");
    return h("details", { class: "cp-param" }, h("summary", {}, signature), body);
  }

  function render() {
    header.textContent = shell.props.header || "";
    header.hidden = !shell.props.header;
    const max = shell.props.max_height;
    list.style.maxHeight = typeof max === "number" ? `${max}px` : max || "";
    list.replaceChildren(...Object.entries(value || {}).map(([name, spec]) => row(name, spec || {})));
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

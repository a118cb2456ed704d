// Dropdown: a native <select> (accessible, works on phones); `multiselect` makes it a multi-select, and
// `allow_custom_value` turns it into a text input with the choices as suggestions.
import { Shell, h, inputId, normalizeChoices } from "./base.js";

export function create(config, ctx) {
  const shell = new Shell(config, ctx);
  const props = shell.props;
  const custom = Boolean(props.allow_custom_value) && !props.multiselect;
  const listId = inputId(config, "-list");
  const input = custom
    ? h("input", { type: "text", class: "cp-input", list: listId, autocomplete: "off" })
    : h("select", { class: "cp-input cp-select", multiple: Boolean(props.multiselect) });
  input.id = inputId(config);
  input.setAttribute("aria-describedby", `cp-${config.id}-info`);
  const datalist = custom ? h("datalist", { id: listId }) : null;
  shell.body.append(input);
  if (datalist) shell.body.append(datalist);
  let choices = [];

  function renderChoices(raw) {
    const before = read();
    choices = normalizeChoices(raw);
    const target = datalist || input;
    target.replaceChildren(
      ...choices.map((c, i) => h("option", { value: custom ? c.label : String(i), text: c.label })),
    );
    if (!custom && !props.multiselect) input.prepend(h("option", { value: "", text: "—" }));
    write(before);
  }

  function indexOf(value) {
    const wanted = JSON.stringify(value);
    return choices.findIndex((c) => JSON.stringify(c.value) === wanted);
  }

  function read() {
    if (custom) {
      const match = choices.find((c) => c.label === input.value);
      return match ? match.value : input.value === "" ? null : input.value;
    }
    const picked = [...input.selectedOptions].filter((o) => o.value !== "");
    const values = picked.map((o) => (choices[Number(o.value)] || {}).value);
    return props.multiselect ? values : values.length ? values[0] : null;
  }

  function write(v) {
    if (custom) {
      const i = indexOf(v);
      input.value = i >= 0 ? choices[i].label : v === null || v === undefined ? "" : String(v);
      return;
    }
    const wanted = new Set([].concat(v ?? []).map(indexOf).filter((i) => i >= 0).map(String));
    for (const option of input.options) option.selected = wanted.has(option.value);
    if (!props.multiselect && wanted.size === 0 && input.options.length) input.selectedIndex = 0;
  }

  renderChoices(props.choices);
  input.addEventListener(custom ? "input" : "change", () => {
    shell.userInput();
    shell.emit("select");
  });
  input.addEventListener("blur", () => shell.emit("blur"));
  input.addEventListener("focus", () => shell.emit("focus"));
  input.addEventListener("keyup", (e) => shell.emit("key_up", { key: e.key, input_value: input.value }));

  return shell.finish({
    getValue: read,
    setValue: write,
    applyProps: (p) => {
      if ("choices" in p) renderChoices(p.choices);
    },
    setInteractive: (on) => {
      input.disabled = !on;
    },
  });
}

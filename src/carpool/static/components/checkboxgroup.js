// CheckboxGroup: a fieldset of checkboxes; the wire value is the list of checked choice values.
import { Shell, h, inputId, normalizeChoices } from "./base.js";

export function create(config, ctx) {
  const shell = new Shell(config, ctx, { tag: "fieldset", labelTag: "legend" });
  const list = h("div", { class: "cp-choices" });
  shell.body.append(list);
  let boxes = [];
  let choices = [];

  function renderChoices(raw) {
    const checked = new Set(boxes.filter((b) => b.checked).map((b) => JSON.stringify(b.choiceValue)));
    choices = normalizeChoices(raw);
    list.replaceChildren();
    boxes = choices.map((choice, i) => {
      const id = inputId(config, `-${i}`);
      const box = h("input", { type: "checkbox", id, class: "cp-checkbox-input" });
      box.choiceValue = choice.value;
      box.checked = checked.has(JSON.stringify(choice.value));
      box.disabled = !shell.interactive;
      box.addEventListener("change", () => {
        shell.userInput();
        shell.emit("select");
      });
      list.append(h("div", { class: "cp-choice" }, box, h("label", { for: id, text: choice.label })));
      return box;
    });
  }
  renderChoices(shell.props.choices);

  return shell.finish({
    getValue: () => boxes.filter((b) => b.checked).map((b) => b.choiceValue),
    setValue: (v) => {
      const wanted = new Set([].concat(v ?? []).map((x) => JSON.stringify(x)));
      for (const b of boxes) b.checked = wanted.has(JSON.stringify(b.choiceValue));
    },
    applyProps: (p) => {
      if ("choices" in p) renderChoices(p.choices);
    },
    setInteractive: (on) => {
      for (const b of boxes) b.disabled = !on;
    },
  });
}

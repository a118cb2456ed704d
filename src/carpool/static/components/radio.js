// Radio: a fieldset of radio buttons (arrow keys move between them natively); wire value = the choice.
import { Shell, h, inputId, normalizeChoices } from "./base.js";

export function create(config, ctx) {
  const shell = new Shell(config, ctx, { tag: "fieldset", labelTag: "legend" });
  const list = h("div", { class: "cp-choices", role: "radiogroup" });
  shell.body.append(list);
  let radios = [];

  function renderChoices(raw) {
    const current = radios.find((r) => r.checked);
    const keep = current ? JSON.stringify(current.choiceValue) : null;
    list.replaceChildren();
    radios = normalizeChoices(raw).map((choice, i) => {
      const id = inputId(config, `-${i}`);
      const radio = h("input", { type: "radio", id, name: `cp-${config.id}-radio`, class: "cp-radio-input" });
      radio.choiceValue = choice.value;
      radio.checked = keep !== null && keep === JSON.stringify(choice.value);
      radio.disabled = !shell.interactive;
      radio.addEventListener("change", () => {
        shell.userInput();
        shell.emit("select");
      });
      list.append(h("div", { class: "cp-choice" }, radio, h("label", { for: id, text: choice.label })));
      return radio;
    });
  }
  renderChoices(shell.props.choices);

  return shell.finish({
    getValue: () => {
      const checked = radios.find((r) => r.checked);
      return checked ? checked.choiceValue : null;
    },
    setValue: (v) => {
      const wanted = JSON.stringify(v);
      for (const r of radios) r.checked = JSON.stringify(r.choiceValue) === wanted;
    },
    applyProps: (p) => {
      if ("choices" in p) renderChoices(p.choices);
    },
    setInteractive: (on) => {
      for (const r of radios) r.disabled = !on;
    },
  });
}

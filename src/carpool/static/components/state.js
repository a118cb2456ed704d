// State: no UI. The value lives on the server per session; the page only hears that it changed.
import { Shell } from "./base.js";

export function create(config, ctx) {
  const shell = new Shell(config, ctx, { noLabel: true });
  shell.el.hidden = true;
  let value = null;
  const component = shell.finish({
    getValue: () => value,
    setValue: (v) => {
      value = v === undefined ? null : v;
    },
    // The server says a function changed this State's value (only when the page listens to its change).
    applyProps: (p) => {
      if (p.changed === true) shell.emit("change");
    },
  });
  // Visibility updates must never reveal it.
  shell.applyCommon = () => {};
  return component;
}

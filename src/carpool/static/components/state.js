// State: no UI. The value lives on the server per session; the page only keeps what it was sent.
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
  });
  // Visibility updates must never reveal it.
  shell.applyCommon = () => {};
  return component;
}

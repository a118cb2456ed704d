// HTML: the app author's own markup, shown as given (scripts inserted this way never run).
import { Shell } from "./base.js";

export function create(config, ctx) {
  const shell = new Shell(config, ctx, { noLabel: true });
  let source = "";
  return shell.finish({
    getValue: () => source,
    setValue: (v) => {
      source = v === null || v === undefined ? "" : String(v);
      shell.body.innerHTML = source;
    },
  });
}

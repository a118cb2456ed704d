// Timer: no UI. While active it emits "tick" every `value` seconds; a function may change the interval
// (return a number to it) or stop and start it (return an update with `active`).
import { Shell } from "./base.js";

export function create(config, ctx) {
  const shell = new Shell(config, ctx, { noLabel: true });
  shell.el.hidden = true;
  let interval = null;
  let active = config.props.active !== false;
  let handle = null;
  const restart = () => {
    if (handle !== null) clearInterval(handle);
    handle = null;
    if (active && typeof interval === "number" && interval > 0) {
      handle = setInterval(() => shell.emit("tick"), interval * 1000);
    }
  };
  const component = shell.finish({
    getValue: () => interval,
    setValue: (v) => {
      if (typeof v === "number" && v > 0) interval = v;
      restart();
    },
    applyProps: (p) => {
      if ("active" in p) {
        active = p.active !== false;
        restart();
      }
    },
  });
  shell.applyCommon = () => {}; // never shown, whatever an update says
  restart();
  return component;
}

// BrowserState: no UI. Its value lives in localStorage under `storage_key` (as JSON), so it survives a
// reload; it starts as the app's default until something was saved. A new value is saved and fires "change".
import { Shell } from "./base.js";

function read(key) {
  try {
    const text = window.localStorage.getItem(key);
    return text === null ? undefined : JSON.parse(text);
  } catch (err) {
    console.warn("carpool: could not read the browser state", err);
    return undefined;
  }
}

function save(key, value) {
  try {
    window.localStorage.setItem(key, JSON.stringify(value));
  } catch (err) {
    console.warn("carpool: could not save the browser state", err);
  }
}

export function create(config, ctx) {
  const shell = new Shell(config, ctx, { noLabel: true });
  shell.el.hidden = true;
  const key = config.props.storage_key;
  let value = null;
  let ready = false; // the default set while building is not a value to save
  const component = shell.finish({
    getValue: () => value,
    setValue: (v) => {
      value = v === undefined ? null : v;
      if (ready && key) save(key, value);
    },
  });
  shell.applyCommon = () => {}; // never shown
  const stored = key ? read(key) : undefined;
  if (stored !== undefined) {
    value = stored;
    shell.lastValue = stored;
  }
  ready = true;
  return component;
}

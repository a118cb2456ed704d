// FileExplorer: the server's listing of files under root_dir (props.entries, relative paths, folders
// ending in "/"), each with a checkbox (a radio for file_count="single"), indented by depth. The wire
// value is a list of paths, each a list of its segments.
import { Shell, h } from "./base.js";

function cssSize(v) {
  return typeof v === "number" ? `${v}px` : v || "";
}

const key = (segments) => segments.join("/");

export function create(config, ctx) {
  const shell = new Shell(config, ctx, { labelTag: "span" });
  const list = h("ul", { class: "cp-files-tree", role: "group" });
  list.setAttribute("aria-labelledby", `cp-${config.id}-label`);
  const note = h("p", { class: "cp-info", text: "Only the first entries are listed." });
  const empty = h("p", { class: "cp-media-empty", text: "No files" });
  shell.body.append(list, note, empty);
  let chosen = new Set();

  function render() {
    const p = shell.props;
    const single = p.file_count === "single";
    const entries = p.entries || [];
    list.replaceChildren(
      ...entries.map((entry) => {
        const folder = entry.endsWith("/");
        const path = folder ? entry.slice(0, -1) : entry;
        const depth = path.split("/").length - 1;
        const box = h("input", { type: single ? "radio" : "checkbox", name: `cp-${config.id}-files` });
        box.checked = chosen.has(path);
        box.disabled = !shell.interactive;
        box.addEventListener("change", () => {
          if (single) chosen = new Set(box.checked ? [path] : []);
          else if (box.checked) chosen.add(path);
          else chosen.delete(path);
          shell.userInput();
        });
        const name = path.split("/").pop() + (folder ? "/" : "");
        const label = h("label", { class: folder ? "cp-files-folder" : "cp-files-file" }, box, ` ${name}`);
        label.title = path;
        const item = h("li", {}, label);
        item.style.paddingLeft = `${depth * 1.2}em`;
        return item;
      }),
    );
    note.hidden = !p.truncated;
    empty.hidden = entries.length > 0;
    list.style.height = cssSize(p.height);
    list.style.maxHeight = cssSize(p.max_height);
    list.style.minHeight = cssSize(p.min_height);
  }

  return shell.finish({
    getValue: () => (chosen.size ? [...chosen].map((path) => path.split("/")) : null),
    setValue: (v) => {
      chosen = new Set([].concat(v || []).filter(Array.isArray).map(key));
      render();
    },
    applyProps: () => render(),
    setInteractive: () => render(),
  });
}

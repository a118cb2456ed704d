// Dataframe: a table. Wire value {"headers": [...], "data": [[...]], "metadata": null}.
// Interactive: cells are editable in place (Enter or leaving the cell commits; numbers and booleans keep
// their type per `datatype`), "+ row" appends a row. Clicking a header sorts the view (not the value);
// `show_search` adds a box that filters the rows shown. A click on a cell emits "select".
import { Shell, h } from "./base.js";

function columnType(datatype, index) {
  return Array.isArray(datatype) ? datatype[index] || "str" : datatype || "str";
}

function parseCell(text, kind) {
  if (kind === "number") {
    if (text.trim() === "") return null;
    const n = Number(text);
    return Number.isFinite(n) ? n : text;
  }
  if (kind === "bool") return text === "true";
  return text;
}

function cellText(value) {
  return value === null || value === undefined ? "" : String(value);
}

export function create(config, ctx) {
  const shell = new Shell(config, ctx, { labelTag: "span" });
  const props = shell.props;
  const search = h("input", { type: "search", class: "cp-input cp-df-search", placeholder: "Search" });
  search.setAttribute("aria-label", "Search the table");
  const table = h("table", { class: "cp-df" });
  table.setAttribute("aria-labelledby", `cp-${config.id}-label`);
  const scroller = h("div", { class: "cp-df-scroll" }, table);
  const addRow = h("button", { type: "button", class: "cp-icon-button cp-df-add", text: "+ row" });
  shell.body.append(search, scroller, addRow);
  let value = { headers: [], data: [], metadata: null };
  let sort = null; // {column, descending}

  function applyProps(p) {
    if ("max_height" in p && p.max_height) {
      scroller.style.maxHeight = typeof p.max_height === "number" ? `${p.max_height}px` : p.max_height;
    }
    if ("show_search" in p) search.hidden = !p.show_search || p.show_search === "none";
    if ("wrap" in p) table.classList.toggle("cp-df-wrap", Boolean(p.wrap));
  }

  function visibleRows() {
    const query = search.value.trim().toLowerCase();
    let rows = value.data.map((row, index) => ({ row, index }));
    if (query) rows = rows.filter(({ row }) => row.some((c) => cellText(c).toLowerCase().includes(query)));
    if (sort) {
      const { column, descending } = sort;
      rows.sort((a, b) => {
        const x = a.row[column];
        const y = b.row[column];
        const order = typeof x === "number" && typeof y === "number" ? x - y : cellText(x).localeCompare(cellText(y));
        return descending ? -order : order;
      });
    }
    return rows;
  }

  function headerCell(name, column) {
    const arrow = sort && sort.column === column ? (sort.descending ? " ▼" : " ▲") : "";
    const button = h("button", { type: "button", class: "cp-df-sort", text: `${name}${arrow}` });
    button.addEventListener("click", () => {
      sort = sort && sort.column === column && !sort.descending ? { column, descending: true } : { column, descending: false };
      render();
    });
    const th = h("th", { scope: "col" }, button);
    if (sort && sort.column === column) th.setAttribute("aria-sort", sort.descending ? "descending" : "ascending");
    return th;
  }

  function commit(rowIndex, column, next) {
    const previous = value.data[rowIndex][column];
    if (previous === next) return;
    value.data[rowIndex][column] = next;
    shell.userInput();
    // Gradio's .edit: one cell, with what it held before (EditData index/value/previous_value).
    shell.emit("edit", { index: [rowIndex, column], value: next, previous_value: previous });
  }

  function editableCell(cell, rowIndex, column) {
    const kind = columnType(props.datatype, column);
    const frozen = (props.static_columns || []).includes(column);
    if (!shell.interactive || frozen) return;
    if (kind === "bool") return;
    cell.contentEditable = "true";
    cell.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && !e.shiftKey) {
        e.preventDefault();
        cell.blur();
      }
    });
    cell.addEventListener("blur", () => commit(rowIndex, column, parseCell(cell.textContent, kind)));
  }

  function bodyCell(cellValue, rowIndex, column) {
    const kind = columnType(props.datatype, column);
    const td = h("td", { class: `cp-df-cell cp-df-${kind}` });
    if (kind === "bool") {
      const box = h("input", { type: "checkbox", checked: cellValue === true || cellValue === "true" });
      box.disabled = !shell.interactive;
      box.setAttribute("aria-label", `${value.headers[column] ?? column} row ${rowIndex + 1}`);
      box.addEventListener("change", () => commit(rowIndex, column, box.checked));
      td.append(box);
    } else {
      td.textContent = cellText(cellValue);
    }
    editableCell(td, rowIndex, column);
    td.addEventListener("click", () =>
      shell.emit("select", { index: [rowIndex, column], value: value.data[rowIndex][column], selected: true }),
    );
    return td;
  }

  function render() {
    const head = h("tr", {}, props.show_row_numbers ? h("th", { scope: "col", text: "#" }) : null);
    value.headers.forEach((name, column) => head.append(headerCell(cellText(name), column)));
    const body = visibleRows().map(({ row, index }) =>
      h(
        "tr",
        {},
        props.show_row_numbers ? h("th", { scope: "row", text: String(index + 1) }) : null,
        row.map((cell, column) => bodyCell(cell, index, column)),
      ),
    );
    table.replaceChildren(h("thead", {}, head), h("tbody", {}, body));
    addRow.hidden = !shell.interactive;
  }

  search.addEventListener("input", render);
  addRow.addEventListener("click", () => {
    value.data.push(value.headers.map((_, column) => (columnType(props.datatype, column) === "number" ? null : "")));
    render();
    shell.userInput();
  });
  applyProps(props);

  return shell.finish({
    getValue: () => ({ headers: [...value.headers], data: value.data.map((row) => [...row]), metadata: null }),
    setValue: (v) => {
      const next = v && typeof v === "object" ? v : {};
      value = {
        headers: Array.isArray(next.headers) ? [...next.headers] : [],
        data: Array.isArray(next.data) ? next.data.map((row) => [...row]) : [],
        metadata: null,
      };
      render();
    },
    applyProps: (p) => {
      applyProps(p);
      render();
    },
    setInteractive: () => render(),
  });
}

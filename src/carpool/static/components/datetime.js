// DateTime: a text field holding "YYYY-MM-DD HH:MM:SS" (or "YYYY-MM-DD" without include_time), with a
// "Now" button. Wire value: that string, or null when empty.
import { Shell, h, inputId } from "./base.js";

function pad(n) {
  return String(n).padStart(2, "0");
}

function formatNow(includeTime) {
  const d = new Date();
  const day = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  return includeTime ? `${day} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}` : day;
}

export function create(config, ctx) {
  const shell = new Shell(config, ctx);
  const includeTime = shell.props.include_time !== false;
  const input = h("input", {
    type: "text",
    class: "cp-input cp-datetime",
    id: inputId(config),
    placeholder: includeTime ? "YYYY-MM-DD HH:MM:SS" : "YYYY-MM-DD",
  });
  input.setAttribute("aria-describedby", `cp-${config.id}-info`);
  const now = h("button", { type: "button", class: "cp-icon-button", text: "Now" });
  now.setAttribute("aria-label", `Set ${shell.props.label || "date"} to now`);
  shell.body.append(h("div", { class: "cp-datetime-row" }, input, now));
  input.addEventListener("input", () => shell.userInput());
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter") {
      e.preventDefault();
      shell.emit("submit");
    }
  });
  now.addEventListener("click", () => {
    input.value = formatNow(includeTime);
    shell.userInput();
  });
  return shell.finish({
    getValue: () => (input.value.trim() === "" ? null : input.value.trim()),
    setValue: (v) => {
      input.value = v === null || v === undefined ? "" : String(v);
    },
    setInteractive: (on) => {
      input.readOnly = !on;
      now.hidden = !on;
    },
  });
}

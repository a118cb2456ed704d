// Per-dependency status, shown with that dependency's outputs: queued (position, ETA) -> running (elapsed
// time, a progress bar once the function reports progress) -> done | error | cancelled.
//
// Stable hooks for tests (docs/frontend.md): the element has data-testid="status-<dependency id>",
// data-state="idle|queued|running|done|error|cancelled", and its text starts with that state word.

import { h } from "./components/base.js";

function seconds(s) {
  if (s === null || s === undefined || !Number.isFinite(s)) return "";
  if (s < 0.1) return "<0.1s";
  return s < 10 ? `${s.toFixed(1)}s` : `${Math.round(s)}s`;
}

export class StatusView {
  /**
   * @param {object} dep the dependency config
   * @param {Element[]} outputEls the output components' roots (dimmed while pending)
   */
  constructor(dep, outputEls) {
    this.dep = dep;
    this.outputEls = outputEls;
    this.stateText = h("span", { class: "cp-status-state" });
    this.detail = h("span", { class: "cp-status-detail" });
    this.desc = h("span", { class: "cp-status-desc" });
    this.fill = h("span", { class: "cp-progress-fill" });
    this.bar = h("span", { class: "cp-progress", hidden: true, role: "progressbar" }, this.fill);
    this.bar.setAttribute("aria-valuemin", "0");
    this.bar.setAttribute("aria-valuemax", "100");
    this.el = h(
      "div",
      { class: "cp-status", "data-testid": `status-${dep.id}`, "data-state": "idle", role: "status", "aria-live": "polite" },
      this.stateText, " ", this.detail, this.desc, this.bar,
    );
    this.el.hidden = true;
    this.timer = null;
    this.startedAt = 0;
    this.eta = null;
  }

  setState(state, detail = "") {
    this.el.hidden = false;
    this.el.dataset.state = state;
    this.el.setAttribute("role", state === "error" ? "alert" : "status");
    this.stateText.textContent = state;
    this.detail.textContent = detail;
    // show_progress="hidden" hides progress, never a failure: the user must learn that it went wrong.
    this.el.classList.toggle("cp-sr-only", this.dep.show_progress === "hidden" && state !== "error");
    const pending = state === "queued" || state === "running";
    if (this.dep.show_progress !== "hidden" && this.dep.show_progress !== "minimal") {
      for (const el of this.outputEls) el.classList.toggle("cp-pending", pending);
    }
    if (!pending) {
      this.stopClock();
      this.bar.hidden = true;
      this.desc.textContent = "";
    }
  }

  /** A new event of this dependency joined the queue. */
  begin() {
    this.queuedAt = performance.now();
    this.startedAt = 0;
    this.queued(null);
  }

  queued(position, queueSize, eta) {
    if (position === null || position === undefined) {
      this.setState("queued");
      return;
    }
    const where = `${position + 1}/${Math.max(queueSize ?? position + 1, position + 1)}`;
    const wait = eta ? ` · ~${seconds(eta)}` : "";
    this.setState("queued", `${where}${wait}`);
  }

  running(eta) {
    this.startedAt = performance.now();
    this.eta = eta ?? null;
    this.setState("running");
    this.tick();
    // Elapsed time is a display, not a poll: it only redraws this element while the event runs.
    this.stopClock();
    this.timer = setInterval(() => this.tick(), 250);
  }

  tick() {
    const elapsed = (performance.now() - this.startedAt) / 1000;
    this.detail.textContent = this.eta ? `${seconds(elapsed)} / ~${seconds(this.eta)}` : seconds(elapsed);
  }

  stopClock() {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** @param {{progress?: number, index?: number, length?: number, unit?: string, desc?: string}[]} units */
  progress(units) {
    if (this.el.dataset.state !== "running") this.running(null);
    const unit = units && units.length ? units[units.length - 1] : null;
    if (!unit) return;
    let fraction = unit.progress;
    if ((fraction === null || fraction === undefined) && unit.index !== null && unit.length) {
      fraction = unit.index / unit.length;
    }
    const parts = [];
    if (unit.desc) parts.push(unit.desc);
    if (unit.index !== null && unit.index !== undefined && unit.length) {
      parts.push(`${unit.index}/${unit.length} ${unit.unit || ""}`.trim());
    }
    this.desc.textContent = parts.length ? ` · ${parts.join(" · ")}` : "";
    if (fraction !== null && fraction !== undefined && Number.isFinite(fraction)) {
      const pct = Math.max(0, Math.min(100, fraction * 100));
      this.bar.hidden = false;
      this.fill.style.width = `${pct}%`;
      this.bar.setAttribute("aria-valuenow", String(Math.round(pct)));
    }
  }

  /** "done 5.0s": the whole wait since the click, with the part spent queued when there was one. */
  done(label) {
    const now = performance.now();
    const total = this.queuedAt ? (now - this.queuedAt) / 1000 : null;
    const queued = this.queuedAt && this.startedAt ? (this.startedAt - this.queuedAt) / 1000 : 0;
    const detail = queued >= 0.1 ? `${seconds(total)} · ${seconds(queued)} queued` : seconds(total);
    this.setState("done", label ?? detail);
  }

  error(message) {
    this.setState("error", message || "Something went wrong.");
  }

  cancelled() {
    this.setState("cancelled");
  }
}

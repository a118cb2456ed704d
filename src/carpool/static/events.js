// Dependencies in the page: which trigger fires which function, what it sends, where results go.
//
// A trigger collects the inputs' wire values, joins the queue, and follows that event's messages on the
// page's single stream: status updates, streamed outputs, the final output or error. `trigger_mode`
// decides what a trigger does while an event of the same dependency is pending; `cancels` cancels the
// pending events of other dependencies; `trigger_after` chains a dependency after another one ends.

import { StatusView } from "./status.js";
import { toastFromError, toastFromLog } from "./toast.js";

function isUpdate(value) {
  return value !== null && typeof value === "object" && !Array.isArray(value) &&
    typeof value.__type__ === "string" && value.__type__.endsWith("update");
}

/** Where a dependency's status goes: its first visible output, else its first trigger, else the page. */
function statusHost(dep, blocks, configs) {
  const candidates = [...(dep.outputs || []), ...(dep.targets || []).map((t) => t[0])];
  for (const id of candidates) {
    const config = configs.get(id);
    const block = blocks.get(id);
    const hidden = config && config.props && config.props.visible === false; // e.g. a chat's reply
    if (block && config && !hidden && String(config.type).toLowerCase() !== "state") return block.el;
  }
  return null;
}

export class Dependencies {
  /**
   * @param {object} opts {deps, blocks: Map, configs: Map, client, fallbackStatusArea: Element}
   */
  constructor(opts) {
    this.deps = opts.deps || [];
    this.blocks = opts.blocks;
    this.configs = opts.configs;
    this.client = opts.client;
    this.fallback = opts.fallbackStatusArea;
    this.state = new Map(this.deps.map((d) => [d.id, { pending: new Set(), latest: null, waiting: undefined }]));
    this.statuses = new Map();
    this.dynamic = new Map(); // render area id -> {deps, unbind}: the listeners its latest run made
  }

  /** The listeners a render run made: wired now, unwired when the area renders again. */
  addDynamic(owner, deps) {
    this.removeDynamic(owner);
    const unbind = [];
    for (const dep of deps) {
      this.deps.push(dep);
      this.state.set(dep.id, { pending: new Set(), latest: null, waiting: undefined });
      for (const [id, event] of dep.targets || []) {
        const block = this.blocks.get(id);
        const off = block ? block.on(event, (eventData) => this.trigger(dep, id, eventData)) : null;
        if (typeof off === "function") unbind.push(off);
      }
    }
    this.dynamic.set(owner, { deps, unbind });
  }

  removeDynamic(owner) {
    const entry = this.dynamic.get(owner);
    if (!entry) return;
    for (const off of entry.unbind) off();
    const gone = new Set(entry.deps.map((d) => d.id));
    this.deps = this.deps.filter((d) => !gone.has(d.id));
    for (const id of gone) {
      this.state.delete(id);
      const view = this.statuses.get(id);
      if (view) view.el.remove();
      this.statuses.delete(id);
    }
    this.dynamic.delete(owner);
  }

  dep(id) {
    return this.deps.find((d) => d.id === id);
  }

  /** Bind every trigger to its component; returns the dependencies to fire on page load. */
  wire() {
    const onLoad = [];
    for (const dep of this.deps) {
      for (const [id, event] of dep.targets || []) {
        if (id === 0 && event === "load") {
          onLoad.push(dep);
          continue;
        }
        const block = this.blocks.get(id);
        // An event may carry data for the function (a like's index and value: LikeData & co.).
        if (block) block.on(event, (eventData) => this.trigger(dep, id, eventData));
      }
    }
    this.wireClearButtons();
    this.wireCancelButtons();
    return onLoad;
  }

  /**
   * A button whose click only cancels other dependencies (a Stop or Cancel button) is neutral and
   * disabled while none of them has an event pending, so it does not invite a click that does nothing.
   */
  wireCancelButtons() {
    this.cancelButtons = [];
    for (const dep of this.deps) {
      if (dep.backend_fn || !(dep.cancels || []).length) continue;
      for (const [id, event] of dep.targets || []) {
        const block = this.blocks.get(id);
        if (block && event === "click") this.cancelButtons.push({ block, targets: dep.cancels });
      }
    }
    this.refreshCancelButtons();
  }

  refreshCancelButtons() {
    for (const { block, targets } of this.cancelButtons || []) {
      const idle = !targets.some((target) => this.isPending(target));
      block.el.classList.toggle("cp-nothing-to-cancel", idle);
      const button = block.el.querySelector("button");
      if (button && block.shell.props.interactive !== false) button.disabled = idle;
    }
  }

  /** Buttons whose config lists `clears` (ClearButton) reset those components in the page. */
  wireClearButtons() {
    for (const [id, config] of this.configs) {
      const clears = config.props && (config.props.clears || config.props.components);
      const isClear = Array.isArray(clears) && /button$/.test(String(config.type).toLowerCase());
      const block = this.blocks.get(id);
      if (!isClear || !block) continue;
      block.on("click", () => {
        for (const target of clears) {
          const b = this.blocks.get(target);
          if (b) b.reset();
        }
        for (const s of this.statuses.values()) if (!this.isPending(s.dep.id)) s.el.hidden = true;
      });
    }
  }

  isPending(depId) {
    const s = this.state.get(depId);
    return Boolean(s && s.pending.size);
  }

  status(dep) {
    if (!this.statuses.has(dep.id)) {
      const outputs = (dep.outputs || []).map((id) => this.blocks.get(id)).filter(Boolean).map((b) => b.el);
      const view = new StatusView(dep, outputs);
      (statusHost(dep, this.blocks, this.configs) || this.fallback).append(view.el);
      this.statuses.set(dep.id, view);
    }
    return this.statuses.get(dep.id);
  }

  trigger(dep, triggerId, eventData = null) {
    for (const target of dep.cancels || []) this.cancelDependency(target);
    if (!dep.backend_fn) {
      this.passThrough(dep);
      this.chain(dep, "completed");
      return;
    }
    const s = this.state.get(dep.id);
    if (!s) return; // a listener of a render run that has been replaced
    if (s.pending.size) {
      const mode = dep.trigger_mode || "once";
      if (mode === "once") return;
      if (mode === "always_last") {
        s.waiting = { triggerId, eventData }; // run once more, with the values current when this one ends
        return;
      }
    }
    this.run(dep, triggerId, eventData);
  }

  /** A dependency with no backend function copies its inputs to its outputs (as in Gradio). */
  passThrough(dep) {
    const inputs = dep.inputs || [];
    const outputs = dep.outputs || [];
    if (!outputs.length || inputs.length !== outputs.length) return;
    outputs.forEach((id, i) => {
      const from = this.blocks.get(inputs[i]);
      const to = this.blocks.get(id);
      if (from && to) to.setValue(from.getValue());
    });
  }

  async run(dep, triggerId, eventData = null) {
    const s = this.state.get(dep.id);
    const data = (dep.inputs || []).map((id) => {
      const block = this.blocks.get(id);
      return block ? block.getValue() : null;
    });
    const run = { dep, eventId: null, cancelRequested: false, done: false };
    s.pending.add(run);
    s.latest = run;
    this.refreshCancelButtons();
    const status = this.status(dep);
    status.begin();
    try {
      const onMessage = (msg) => this.onMessage(run, msg);
      // A rendered listener runs through its area's router, named by its run and number.
      const routed = dep.router !== undefined && dep.router !== null;
      const target = routed ? dep.router : dep.id;
      const payload = routed ? [dep.render_ref, ...data] : data;
      run.eventId = await this.client.join(target, payload, triggerId, onMessage, eventData);
      if (run.cancelRequested) this.requestCancel(run);
    } catch (err) {
      const message = err.parameter ? `${err.parameter}: ${err.message}` : err.message;
      if (!run.done) toastFromError({ message });
      this.finish(run, "failed", message);
    }
  }

  onMessage(run, msg) {
    if (run.done) return;
    const status = this.status(run.dep);
    const shown = this.state.get(run.dep.id).latest === run;
    switch (msg.msg) {
      case "estimation":
        if (shown) status.queued(msg.position, msg.queue_size, msg.eta);
        break;
      case "process_starts":
        if (shown) status.running(msg.eta);
        break;
      case "progress":
        if (shown) status.progress(msg.progress);
        break;
      case "log":
        toastFromLog(msg);
        break;
      case "process_generating":
        this.applyOutputs(run.dep, msg.output && msg.output.data);
        break;
      case "process_completed":
        if (msg.status === "completed") {
          this.applyOutputs(run.dep, msg.output && msg.output.data);
          this.finish(run, "completed");
        } else if (msg.status === "cancelled") {
          this.finish(run, "cancelled");
        } else {
          toastFromError(msg.error);
          this.finish(run, "failed", msg.error ? msg.error.message : null);
        }
        break;
      default:
        break;
    }
  }

  /** Two failures in one place show as one message, the latest, not a growing stack. */
  hideOlderErrors(latest) {
    for (const view of this.statuses.values()) {
      const sameHost = view.el.parentElement === latest.el.parentElement;
      if (view !== latest && sameHost && view.el.dataset.state === "error") view.el.hidden = true;
    }
  }

  /** New values in a dependency's outputs (a Clear, another listener) retire its old error message. */
  retireErrorsShownOn(writer, outputIds) {
    for (const view of this.statuses.values()) {
      if (view.dep === writer || view.el.dataset.state !== "error" || this.isPending(view.dep.id)) continue;
      if ((view.dep.outputs || []).some((id) => outputIds.includes(id))) view.el.hidden = true;
    }
  }

  applyOutputs(dep, data) {
    if (!Array.isArray(data)) return;
    if (dep.id !== undefined) this.retireErrorsShownOn(dep, (dep.outputs || []).slice(0, data.length));
    (dep.outputs || []).forEach((id, i) => {
      const block = this.blocks.get(id);
      if (!block || i >= data.length) return;
      if (isUpdate(data[i])) block.applyUpdate(data[i]);
      else block.setValue(data[i]);
    });
  }

  finish(run, outcome, message) {
    if (run.done) return;
    run.done = true;
    const s = this.state.get(run.dep.id);
    if (!s) return; // its render run was replaced while it ran
    s.pending.delete(run);
    this.refreshCancelButtons();
    if (s.latest === run) {
      const status = this.status(run.dep);
      if (outcome === "completed") status.done();
      else if (outcome === "cancelled") status.cancelled();
      else {
        status.error(message);
        this.hideOlderErrors(status);
      }
    }
    if (s.waiting !== undefined && !s.pending.size) {
      const { triggerId, eventData } = s.waiting;
      s.waiting = undefined;
      this.run(run.dep, triggerId, eventData);
    }
    this.chain(run.dep, outcome);
    // `every=N`: run again N seconds after this run ends, for as long as the page is open.
    if (run.dep.every && outcome !== "cancelled") {
      setTimeout(() => this.trigger(run.dep, null), run.dep.every * 1000);
    }
  }

  /** Fire the dependencies chained after `dep` (.then / .success / .failure). */
  chain(dep, outcome) {
    if (outcome === "cancelled") return;
    for (const next of this.deps) {
      if (next.trigger_after !== dep.id) continue;
      if (next.trigger_only_on_success && outcome !== "completed") continue;
      if (next.trigger_only_on_failure && outcome !== "failed") continue;
      this.trigger(next, null);
    }
  }

  cancelDependency(depId) {
    const s = this.state.get(depId);
    if (!s) return;
    s.waiting = undefined;
    for (const run of s.pending) {
      if (run.eventId) this.requestCancel(run);
      else run.cancelRequested = true; // its join is still in flight: cancel as soon as it has an id
    }
  }

  async requestCancel(run) {
    try {
      if (await this.client.cancel(run.eventId)) this.finish(run, "cancelled");
    } catch (err) {
      console.warn("carpool: cancel failed", err);
    }
  }

  /**
   * Examples: fill the inputs (state inputs excepted), show cached outputs at once, then fire the block's
   * "click" event; the app binds its run to that event only when run_on_click is set and nothing is cached.
   */
  selectExample(config, row) {
    const props = config.props || {};
    const inputs = props.inputs || [];
    const sample = (props.samples || [])[row] || [];
    inputs.forEach((id, i) => {
      const block = this.blocks.get(id);
      const isState = String((this.configs.get(id) || {}).type).toLowerCase() === "state";
      if (block && !isState && i < sample.length) block.setValue(sample[i]);
    });
    const cached = props.cached_outputs ? props.cached_outputs[row] : null;
    if (cached) this.applyOutputs({ outputs: props.outputs || [] }, cached);
    const examples = this.blocks.get(config.id);
    if (examples) {
      examples.selected = row;
      examples.emit("click");
      examples.emit("select", { index: row, value: sample, selected: true }); // a Dataset's .select
    }
  }
}

// The browser side of the carpool/1 queue protocol (docs/protocol.md).
//
// One Client per page. It owns ONE EventSource for the page's session and routes every message to the
// event it names: a page with many pending events holds one connection, not one per event.
//
// The stream is opened when the page has an event pending and released shortly after the last one ends.
// Browsers allow about six HTTP/1.1 connections per host across ALL tabs: ten idle tabs that each kept a
// stream open would leave no connection for the seventh tab to even load, let alone join. Releasing an
// idle stream is safe: the server buffers a session's messages from its join until a stream reads them,
// and State values live in the session store, not in the stream.

const BACKOFF_MS = [250, 500, 1000, 2000, 4000, 8000];
const IDLE_RELEASE_MS = 300; // keep the stream this long after the last event, for chained/quick reruns

/** An HTTP error with the server's JSON error body ({type, message, parameter}) when it sent one. */
export class RequestError extends Error {
  constructor(status, body) {
    const err = body && body.error ? body.error : null;
    super(err && err.message ? err.message : `HTTP ${status}`);
    this.status = status;
    this.type = err ? err.type : "http_error";
    this.parameter = err ? err.parameter : null;
  }
}

function newSessionHash() {
  const bytes = new Uint8Array(8);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

async function readJson(response) {
  const text = await response.text();
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return null;
  }
}

export class Client {
  /** @param {URL} root the app's base URL (ends with "/"). */
  constructor(root) {
    this.root = root;
    this.sessionHash = newSessionHash();
    this.handlers = new Map(); // event_id -> (message) => void
    this.early = new Map(); // event_id -> messages that arrived before join() returned the id
    this.source = null;
    this.attempt = 0;
    this.reconnectTimer = null;
    this.idleTimer = null;
    this.joining = 0; // joins in flight: their events exist on the server before we know their ids
    this.connectionListeners = new Set();
  }

  url(path) {
    return new URL(path.replace(/^\//, ""), this.root).href;
  }

  /** The page is going for good: the server runs the app's unload listeners and drops this session's
   * State values (a beacon, so it is sent even while the page is torn down). */
  leave() {
    const body = JSON.stringify({ session_hash: this.sessionHash });
    if (navigator.sendBeacon) navigator.sendBeacon(this.url("queue/unload"), body);
  }

  /** URL of a server-minted file (FileData), or of a plain URL string. */
  fileUrl(value) {
    if (!value) return null;
    if (typeof value === "string") return /^(https?:|data:|blob:)/.test(value) ? value : this.url(value);
    if (value.file_id) return this.url(`file/${encodeURIComponent(value.file_id)}`);
    if (value.url) return /^(https?:|data:|blob:)/.test(value.url) ? value.url : this.url(value.url);
    return null;
  }

  async postJson(path, body) {
    const response = await fetch(this.url(path), {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    const data = await readJson(response);
    if (!response.ok) throw new RequestError(response.status, data);
    return data;
  }

  async getJson(path) {
    const response = await fetch(this.url(path), { headers: { Accept: "application/json" } });
    const data = await readJson(response);
    if (!response.ok) throw new RequestError(response.status, data);
    return data;
  }

  /**
   * Join the queue; `onMessage` receives every stream message of the new event, in order.
   * @returns {Promise<string>} the event id
   */
  async join(fnIndex, data, triggerId, onMessage, eventData = null) {
    const body = { data, fn_index: fnIndex, session_hash: this.sessionHash, trigger_id: triggerId };
    if (eventData !== null && eventData !== undefined) body.event_data = eventData;
    this.joining += 1; // synchronously, so a stream going idle right now is not released under us
    this.cancelIdleRelease();
    let eventId;
    try {
      ({ event_id: eventId } = await this.postJson("queue/join", body));
    } finally {
      this.joining -= 1;
      this.releaseIfIdle(); // a failed join may leave nothing pending
    }
    this.handlers.set(eventId, onMessage);
    // The stream may already have delivered messages for this event while the join response travelled.
    const early = this.early.get(eventId) || [];
    this.early.delete(eventId);
    for (const message of early) this.dispatch(message);
    if (this.handlers.has(eventId)) this.ensureStream();
    return eventId;
  }

  async cancel(eventId) {
    const result = await this.postJson("queue/cancel", { session_hash: this.sessionHash, event_id: eventId });
    return Boolean(result && result.cancelled);
  }

  /**
   * Upload files through POST /upload (multipart field "files").
   * @param {File[]} files
   * @param {(fraction: number) => void} [onProgress]
   * @returns {Promise<object[]>} one FileData per file
   */
  upload(files, onProgress) {
    const form = new FormData();
    for (const file of files) form.append("files", file, file.name);
    // XMLHttpRequest, not fetch: fetch reports no upload progress, and big media files deserve a bar.
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open("POST", this.url("upload"));
      xhr.responseType = "text";
      if (onProgress) {
        xhr.upload.addEventListener("progress", (e) => e.lengthComputable && onProgress(e.loaded / e.total));
      }
      xhr.addEventListener("load", () => {
        let body = null;
        try {
          body = JSON.parse(xhr.responseText);
        } catch {
          body = null;
        }
        if (xhr.status >= 200 && xhr.status < 300 && body) resolve(body.files || []);
        else reject(new RequestError(xhr.status, body));
      });
      xhr.addEventListener("error", () => reject(new RequestError(0, null)));
      xhr.send(form);
    });
  }

  /** Listen to the stream's health: fn("open" | "reconnecting" | "closed"). */
  onConnection(fn) {
    this.connectionListeners.add(fn);
    return () => this.connectionListeners.delete(fn);
  }

  setConnection(state) {
    for (const fn of this.connectionListeners) fn(state);
  }

  ensureStream() {
    if (this.source || this.reconnectTimer) return;
    const url = this.url(`queue/data?session_hash=${encodeURIComponent(this.sessionHash)}`);
    const source = new EventSource(url);
    this.source = source;
    source.onopen = () => {
      this.attempt = 0;
      this.setConnection("open");
    };
    source.onmessage = (e) => this.onRaw(e.data);
    source.onerror = () => this.onStreamError(source);
  }

  onRaw(raw) {
    let message;
    try {
      message = JSON.parse(raw);
    } catch {
      this.unreadable(raw);
      return;
    }
    if (message.msg === "heartbeat") return;
    if (message.msg === "close_stream") {
      this.closeStream();
      this.failAll("The server closed the connection.");
      this.setConnection("closed");
      return;
    }
    this.dispatch(message);
  }

  /**
   * A frame that is not JSON: its event (or, when no event id can be read, every pending one) ends
   * failed with a message, instead of waiting forever in "running".
   */
  unreadable(raw) {
    console.error("carpool: the server sent a message that is not JSON:", raw.slice(0, 200));
    const reason = "The server sent a reply the page cannot read.";
    const id = /"event_id"\s*:\s*"([^"\\]+)"/.exec(raw);
    if (!id || !this.handlers.has(id[1])) {
      this.failAll(reason, "bad_message");
      return;
    }
    const error = { type: "bad_message", message: reason, parameter: null };
    this.dispatch({ msg: "process_completed", event_id: id[1], status: "failed", error });
  }

  dispatch(message) {
    const id = message.event_id;
    if (!id) return;
    const handler = this.handlers.get(id);
    if (!handler) {
      if (!this.early.has(id)) this.early.set(id, []);
      this.early.get(id).push(message);
      return;
    }
    if (message.msg === "process_completed") this.handlers.delete(id);
    handler(message);
    this.releaseIfIdle();
  }

  isIdle() {
    return this.handlers.size === 0 && this.joining === 0;
  }

  /** Give the connection back soon after the page has nothing pending (see the top of this file). */
  releaseIfIdle() {
    if (!this.isIdle() || !this.source || this.idleTimer) return;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      if (this.isIdle()) {
        this.closeStream();
        this.early.clear();
      }
    }, IDLE_RELEASE_MS);
  }

  cancelIdleRelease() {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }

  onStreamError(source) {
    if (this.isIdle()) {
      this.closeStream(); // nothing to wait for: do not let EventSource reconnect on its own
      return;
    }
    // EventSource retries on its own while readyState is CONNECTING; once CLOSED (an HTTP error or a
    // refused connection) it is up to us, with backoff so a restarting server is not hammered.
    if (source.readyState !== EventSource.CLOSED) {
      this.setConnection("reconnecting");
      return;
    }
    this.closeStream();
    const delay = BACKOFF_MS[Math.min(this.attempt, BACKOFF_MS.length - 1)];
    this.attempt += 1;
    this.setConnection("reconnecting");
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.ensureStream();
    }, delay);
  }

  closeStream() {
    this.cancelIdleRelease();
    if (this.source) this.source.close();
    this.source = null;
  }

  failAll(reason, type = "shutting_down") {
    const pending = [...this.handlers.entries()];
    this.handlers.clear();
    for (const [eventId, handler] of pending) {
      handler({
        msg: "process_completed",
        event_id: eventId,
        status: "failed",
        error: { type, message: reason, parameter: null },
      });
    }
  }
}

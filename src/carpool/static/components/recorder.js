// Recording from the microphone or the webcam (getUserMedia + MediaRecorder), for Audio and Video.
//
// Record -> (Pause / Resume) -> Stop; the recording becomes an upload, so the server sees it as any
// other file. Audio is turned into a 16-bit PCM WAV in the page (Web Audio decodes what MediaRecorder
// made), since Audio(type="numpy") reads WAV; video stays WebM. The shell emits Gradio's events:
// start_recording, pause_recording, stop_recording, and, for a streaming Audio, stream: every
// stream_every seconds the PCM heard since the last chunk goes up as a WAV and becomes the value.
import { h } from "./base.js";

function wavFrom(buffer) {
  const channels = Math.min(buffer.numberOfChannels, 2);
  const frames = buffer.length;
  const bytes = new DataView(new ArrayBuffer(44 + frames * channels * 2));
  const text = (offset, s) => [...s].forEach((c, i) => bytes.setUint8(offset + i, c.charCodeAt(0)));
  text(0, "RIFF");
  bytes.setUint32(4, 36 + frames * channels * 2, true);
  text(8, "WAVE");
  text(12, "fmt ");
  bytes.setUint32(16, 16, true);
  bytes.setUint16(20, 1, true); // PCM
  bytes.setUint16(22, channels, true);
  bytes.setUint32(24, buffer.sampleRate, true);
  bytes.setUint32(28, buffer.sampleRate * channels * 2, true);
  bytes.setUint16(32, channels * 2, true);
  bytes.setUint16(34, 16, true);
  text(36, "data");
  bytes.setUint32(40, frames * channels * 2, true);
  const data = Array.from({ length: channels }, (_, c) => buffer.getChannelData(c));
  let offset = 44;
  for (let i = 0; i < frames; i += 1) {
    for (let c = 0; c < channels; c += 1) {
      const sample = Math.max(-1, Math.min(1, data[c][i]));
      bytes.setInt16(offset, sample < 0 ? sample * 0x8000 : sample * 0x7fff, true);
      offset += 2;
    }
  }
  return new Blob([bytes.buffer], { type: "audio/wav" });
}

async function toWav(blob) {
  const context = new AudioContext();
  try {
    return wavFrom(await context.decodeAudioData(await blob.arrayBuffer()));
  } finally {
    context.close();
  }
}

/** A Float32 mono buffer as a 16-bit WAV blob (the shape wavFrom reads from an AudioBuffer). */
function wavFromSamples(samples, sampleRate) {
  return wavFrom({ numberOfChannels: 1, length: samples.length, sampleRate, getChannelData: () => samples });
}

/**
 * Live audio for a streaming Audio: PCM straight from Web Audio, sent as a WAV chunk every
 * `every` seconds (what was heard since the last chunk). Returns {pause(), resume(), stop()}.
 */
function streamPcm(stream, every, sendChunk) {
  const context = new AudioContext();
  const source = context.createMediaStreamSource(stream);
  // ScriptProcessorNode: deprecated but everywhere, and it needs no worklet module to load
  const tap = context.createScriptProcessor(4096, 1, 1);
  let pending = [];
  let paused = false;
  tap.onaudioprocess = (e) => {
    if (!paused) pending.push(new Float32Array(e.inputBuffer.getChannelData(0)));
  };
  source.connect(tap);
  tap.connect(context.destination);
  const flush = () => {
    if (!pending.length) return null;
    const samples = new Float32Array(pending.reduce((n, part) => n + part.length, 0));
    let offset = 0;
    for (const part of pending) {
      samples.set(part, offset);
      offset += part.length;
    }
    pending = [];
    return sendChunk(wavFromSamples(samples, context.sampleRate));
  };
  const timer = setInterval(flush, every * 1000);
  return {
    pause: () => (paused = true),
    resume: () => (paused = false),
    async stop() {
      clearInterval(timer);
      await flush();
      source.disconnect();
      tap.disconnect();
      await context.close();
    },
  };
}

/** getUserMedia's constraints for a webcam: WebcamOptions(constraints=) if given, else any camera. */
export function webcamConstraints(props) {
  const given = props.webcam_options && props.webcam_options.constraints;
  return given ? { audio: false, ...given } : { video: true, audio: false };
}

/** WebcamOptions(mirror=True), Gradio's default: the preview is shown as in a mirror. */
export function webcamMirrored(props) {
  return !props.webcam_options || props.webcam_options.mirror !== false;
}

/**
 * @param {{kind: "audio"|"video", shell, ctx, onFiles: (files) => void, streaming?: boolean,
 *          autoStart?: boolean}} opts
 * @returns {HTMLElement} the recorder's controls (and, for video, its live preview)
 */
export function createRecorder(opts) {
  const { kind, shell, ctx } = opts;
  const start = h("button", { type: "button", class: "cp-button cp-secondary cp-size-sm", text: kind === "audio" ? "Record" : "Record video" });
  const pause = h("button", { type: "button", class: "cp-button cp-secondary cp-size-sm", text: "Pause", hidden: true });
  const stop = h("button", { type: "button", class: "cp-button cp-stop cp-size-sm", text: "Stop recording", hidden: true });
  const preview = h("video", { class: "cp-webcam-video", autoplay: true, muted: true, playsinline: true, hidden: true });
  const error = h("p", { class: "cp-field-error", role: "alert", hidden: true });
  const box = h("div", { class: "cp-recorder", "data-testid": "recorder", "data-state": "idle" }, preview, h("div", { class: "cp-recorder-buttons" }, start, pause, stop), error);
  if (kind === "audio" && opts.streaming) box.dataset.keep = "true"; // stays while chunks become the value
  let recorder = null;
  let stream = null;

  function state(name) {
    box.dataset.state = name;
    start.hidden = name !== "idle";
    pause.hidden = name === "idle" || name === "saving";
    stop.hidden = name === "idle" || name === "saving";
    pause.textContent = name === "paused" ? "Resume" : "Pause";
    preview.hidden = kind !== "video" || name === "idle" || name === "saving";
  }

  async function finish(chunks) {
    for (const track of stream.getTracks()) track.stop();
    preview.srcObject = null;
    state("saving");
    try {
      const recorded = new Blob(chunks, { type: chunks[0] ? chunks[0].type : `${kind}/webm` });
      const file = kind === "audio"
        ? new File([await toWav(recorded)], "recording.wav", { type: "audio/wav" })
        : new File([recorded], "recording.webm", { type: recorded.type || "video/webm" });
      opts.onFiles(await ctx.client.upload([file]), true);
      shell.emit("stop_recording");
    } catch (err) {
      error.textContent = `Recording failed: ${err.message}`;
      error.hidden = false;
    } finally {
      recorder = null;
      state("idle");
    }
  }

  start.addEventListener("click", async () => {
    error.hidden = true;
    if (!navigator.mediaDevices || typeof MediaRecorder === "undefined") {
      error.textContent = "This browser cannot record.";
      error.hidden = false;
      return;
    }
    try {
      stream = await navigator.mediaDevices.getUserMedia(kind === "audio" ? { audio: true } : webcamConstraints(shell.props));
    } catch (err) {
      error.textContent = `No ${kind === "audio" ? "microphone" : "camera"}: ${err.message}`;
      error.hidden = false;
      return;
    }
    if (kind === "audio" && opts.streaming) {
      startLive();
      return;
    }
    const chunks = [];
    recorder = new MediaRecorder(stream);
    recorder.addEventListener("dataavailable", (e) => e.data.size && chunks.push(e.data));
    recorder.addEventListener("stop", () => finish(chunks));
    if (kind === "video") {
      preview.srcObject = stream;
      preview.classList.toggle("cp-mirrored", webcamMirrored(shell.props));
    }
    recorder.start();
    state("recording");
    shell.emit("start_recording");
  });
  // streaming Audio: chunks of live PCM become the value, one "stream" event each
  let live = null;
  function startLive() {
    const every = Math.max(0.1, Number(shell.props.stream_every) || 0.5);
    live = streamPcm(stream, every, async (wav) => {
      const file = new File([wav], "chunk.wav", { type: "audio/wav" });
      opts.onFiles(await ctx.client.upload([file]), true);
      shell.emit("stream");
    });
    state("recording");
    shell.emit("start_recording");
  }
  async function stopLive() {
    const ending = live;
    live = null;
    state("saving");
    try {
      await ending.stop();
      shell.emit("stop_recording");
    } catch (err) {
      error.textContent = `Streaming failed: ${err.message}`;
      error.hidden = false;
    } finally {
      for (const track of stream.getTracks()) track.stop();
      state("idle");
    }
  }

  pause.addEventListener("click", () => {
    if (live) {
      const pausing = box.dataset.state === "recording";
      if (pausing) live.pause();
      else live.resume();
      state(pausing ? "paused" : "recording");
      if (pausing) shell.emit("pause_recording");
      return;
    }
    if (!recorder) return;
    if (recorder.state === "recording") {
      recorder.pause();
      state("paused");
      shell.emit("pause_recording");
    } else {
      recorder.resume();
      state("recording");
    }
  });
  stop.addEventListener("click", () => (live ? stopLive() : recorder && recorder.stop()));
  state("idle");
  if (opts.autoStart) queueMicrotask(() => start.click()); // Audio(recording=True)
  return box;
}

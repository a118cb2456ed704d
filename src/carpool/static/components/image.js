// Image: upload (click, drop, paste), optional webcam capture, and display. Wire value: FileData.
import { h } from "./base.js";
import { createMedia } from "./media.js";
import { webcamConstraints, webcamMirrored } from "./recorder.js";

function webcamSource(shell, setFromUpload, ctx) {
  const button = h("button", { type: "button", class: "cp-button cp-secondary cp-size-sm", text: "Use webcam" });
  const box = h("div", { class: "cp-webcam" }, button);
  button.addEventListener("click", async () => {
    if (!navigator.mediaDevices) return;
    const stream = await navigator.mediaDevices.getUserMedia(webcamConstraints(shell.props));
    const video = h("video", { autoplay: true, playsinline: true, muted: true, class: "cp-webcam-video" });
    video.srcObject = stream;
    const mirrored = webcamMirrored(shell.props);
    video.classList.toggle("cp-mirrored", mirrored);
    // disabled until the camera's first frame arrives: a photo taken before it would be 0x0 pixels
    const snap = h("button", { type: "button", class: "cp-button cp-primary cp-size-sm", text: "Take photo", disabled: true });
    const ready = () => { snap.disabled = !video.videoWidth; };
    video.addEventListener("loadeddata", ready);
    video.addEventListener("resize", ready);
    box.replaceChildren(video, snap);
    snap.addEventListener("click", () => {
      if (!video.videoWidth) return;
      const canvas = document.createElement("canvas");
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      const draw = canvas.getContext("2d");
      if (mirrored) draw.setTransform(-1, 0, 0, 1, canvas.width, 0); // the photo as the preview showed it
      draw.drawImage(video, 0, 0);
      for (const track of stream.getTracks()) track.stop();
      box.replaceChildren(button);
      canvas.toBlob(async (blob) => {
        if (!blob) return;
        const file = new File([blob], "webcam.png", { type: "image/png" });
        setFromUpload(await ctx.client.upload([file]));
      }, "image/png");
    });
  });
  return box;
}

// streaming=True: the webcam stays live and every stream_every seconds a frame is uploaded and becomes
// the value ("stream", then "change"); a frame is skipped while the last one is still uploading.
function streamingSource(shell, setFromUpload, ctx) {
  const start = h("button", { type: "button", class: "cp-button cp-secondary cp-size-sm", text: "Start streaming" });
  const stop = h("button", { type: "button", class: "cp-button cp-stop cp-size-sm", text: "Stop streaming", hidden: true });
  const video = h("video", { autoplay: true, playsinline: true, muted: true, class: "cp-webcam-video", hidden: true });
  const error = h("p", { class: "cp-field-error", role: "alert", hidden: true });
  const box = h("div", { class: "cp-webcam", "data-testid": "webcam-stream", "data-state": "idle" }, video, h("div", { class: "cp-recorder-buttons" }, start, stop), error);
  box.dataset.keep = "true"; // stays shown while frames become the value
  let stream = null;
  let timer = null;
  let busy = false;

  function frame() {
    if (busy || !video.videoWidth) return;
    busy = true;
    const canvas = document.createElement("canvas");
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    canvas.getContext("2d").drawImage(video, 0, 0);
    canvas.toBlob(async (blob) => {
      try {
        setFromUpload(await ctx.client.upload([new File([blob], "frame.jpeg", { type: "image/jpeg" })]), true);
        shell.emit("stream");
      } catch (err) {
        error.textContent = `Streaming failed: ${err.message}`;
        error.hidden = false;
      } finally {
        busy = false;
      }
    }, "image/jpeg", 0.85);
  }

  function halt() {
    clearInterval(timer);
    timer = null;
    if (stream) for (const track of stream.getTracks()) track.stop();
    stream = null;
    video.srcObject = null;
    video.hidden = stop.hidden = true;
    start.hidden = false;
    box.dataset.state = "idle";
  }

  start.addEventListener("click", async () => {
    error.hidden = true;
    try {
      stream = await navigator.mediaDevices.getUserMedia(webcamConstraints(shell.props));
    } catch (err) {
      error.textContent = `No camera: ${err.message}`;
      error.hidden = false;
      return;
    }
    video.srcObject = stream;
    video.classList.toggle("cp-mirrored", webcamMirrored(shell.props));
    video.hidden = stop.hidden = false;
    start.hidden = true;
    box.dataset.state = "streaming";
    timer = setInterval(frame, Math.max(0.05, Number(shell.props.stream_every) || 0.5) * 1000);
  });
  stop.addEventListener("click", halt);
  return box;
}

export function create(config, ctx) {
  const sources = config.props.sources || ["upload", "clipboard"];
  return createMedia(config, ctx, {
    noun: "image",
    accept: "image/*",
    render: (url, fd) => {
      const alt = config.props.alt_text || (fd && fd.orig_name) || config.props.label || "image";
      const img = h("img", { class: "cp-image", src: url, alt });
      if (config.props.height) img.style.maxHeight = `${config.props.height}px`;
      return img;
    },
    extraSources: (shell, setFromUpload) => {
      if (!sources.includes("webcam")) return [];
      const source = config.props.streaming ? streamingSource : webcamSource;
      return [source(shell, setFromUpload, ctx)];
    },
    hideUpload: !sources.includes("upload"),
  });
}

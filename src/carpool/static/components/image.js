// Image: upload (click, drop, paste), optional webcam capture, and display. Wire value: FileData.
import { h } from "./base.js";
import { createMedia } from "./media.js";

function webcamSource(shell, setFromUpload, ctx) {
  const button = h("button", { type: "button", class: "cp-button cp-secondary cp-size-sm", text: "Use webcam" });
  const box = h("div", { class: "cp-webcam" }, button);
  button.addEventListener("click", async () => {
    if (!navigator.mediaDevices) return;
    const stream = await navigator.mediaDevices.getUserMedia({ video: true });
    const video = h("video", { autoplay: true, playsinline: true, muted: true, class: "cp-webcam-video" });
    video.srcObject = stream;
    const snap = h("button", { type: "button", class: "cp-button cp-primary cp-size-sm", text: "Take photo" });
    box.replaceChildren(video, snap);
    snap.addEventListener("click", () => {
      const canvas = document.createElement("canvas");
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      canvas.getContext("2d").drawImage(video, 0, 0);
      for (const track of stream.getTracks()) track.stop();
      box.replaceChildren(button);
      canvas.toBlob(async (blob) => {
        const file = new File([blob], "webcam.png", { type: "image/png" });
        setFromUpload(await ctx.client.upload([file]));
      }, "image/png");
    });
  });
  return box;
}

export function create(config, ctx) {
  const sources = config.props.sources || ["upload", "clipboard"];
  return createMedia(config, ctx, {
    noun: "image",
    accept: "image/*",
    render: (url, fd) => {
      const img = h("img", { class: "cp-image", src: url, alt: (fd && fd.orig_name) || config.props.label || "image" });
      if (config.props.height) img.style.maxHeight = `${config.props.height}px`;
      return img;
    },
    extraSources: (shell, setFromUpload) =>
      sources.includes("webcam") ? [webcamSource(shell, setFromUpload, ctx)] : [],
  });
}

// Audio: upload or record (microphone), and playback. Wire value: FileData.
import { h } from "./base.js";
import { createMedia } from "./media.js";

function microphoneSource(shell, setFromUpload, ctx) {
  const button = h("button", { type: "button", class: "cp-button cp-secondary cp-size-sm", text: "Record" });
  const box = h("div", { class: "cp-recorder" }, button);
  let recorder = null;
  button.addEventListener("click", async () => {
    if (recorder) {
      recorder.stop();
      return;
    }
    if (!navigator.mediaDevices || typeof MediaRecorder === "undefined") return;
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    const chunks = [];
    recorder = new MediaRecorder(stream);
    recorder.addEventListener("dataavailable", (e) => chunks.push(e.data));
    recorder.addEventListener("stop", async () => {
      for (const track of stream.getTracks()) track.stop();
      recorder = null;
      button.textContent = "Record";
      button.classList.remove("cp-recording");
      const type = chunks[0] ? chunks[0].type : "audio/webm";
      const file = new File(chunks, "recording.webm", { type });
      setFromUpload(await ctx.client.upload([file]));
    });
    recorder.start();
    button.textContent = "Stop recording";
    button.classList.add("cp-recording");
  });
  return box;
}

export function create(config, ctx) {
  const sources = config.props.sources || ["upload", "microphone"];
  return createMedia(config, ctx, {
    noun: "audio file",
    accept: "audio/*",
    render: (url) => {
      const audio = h("audio", { class: "cp-audio", controls: true, src: url, preload: "metadata" });
      audio.setAttribute("aria-label", config.props.label || "audio");
      if (config.props.autoplay) audio.autoplay = true;
      return audio;
    },
    extraSources: (shell, setFromUpload) =>
      sources.includes("microphone") ? [microphoneSource(shell, setFromUpload, ctx)] : [],
  });
}

// Audio: upload or record (microphone, see recorder.js), and playback. Wire value: FileData.
import { h } from "./base.js";
import { createMedia } from "./media.js";
import { createRecorder } from "./recorder.js";

export function create(config, ctx) {
  const sources = config.props.sources || ["upload", "microphone"];
  return createMedia(config, ctx, {
    noun: "audio file",
    accept: "audio/*",
    render: (url) => {
      const audio = h("audio", { class: "cp-audio", controls: true, src: url, preload: "metadata" });
      audio.setAttribute("aria-label", config.props.label || "audio");
      if (config.props.autoplay) audio.autoplay = true;
      if (config.props.loop) audio.loop = true;
      return audio;
    },
    extraSources: (shell, setFromUpload) =>
      sources.includes("microphone")
        ? [
            createRecorder({
              kind: "audio",
              shell,
              ctx,
              onFiles: setFromUpload,
              streaming: config.props.streaming,
              autoStart: config.props.recording && shell.interactive,
            }),
          ]
        : [],
    hideUpload: !sources.includes("upload"),
  });
}

// Video: upload, record from the webcam (see recorder.js), and playback. Wire value: FileData, or
// {"video": FileData, "subtitles": FileData|null}.
import { h } from "./base.js";
import { createMedia } from "./media.js";
import { createRecorder } from "./recorder.js";

export function create(config, ctx) {
  const sources = config.props.sources || ["upload", "webcam"];
  return createMedia(config, ctx, {
    noun: "video",
    accept: "video/*",
    unwrap: (v) => (v && typeof v === "object" && "video" in v ? v.video : v),
    // Keep the server's shape: if it sent {"video": ...}, answer in the same form.
    wrap: (fd, previous) => (previous && typeof previous === "object" && "video" in previous ? { video: fd, subtitles: null } : fd),
    render: (url) => {
      const video = h("video", { class: "cp-video", controls: true, src: url, preload: "metadata", playsinline: true });
      video.setAttribute("aria-label", config.props.label || "video");
      if (config.props.height) video.style.maxHeight = `${config.props.height}px`;
      if (config.props.autoplay) video.autoplay = true;
      if (config.props.loop) video.loop = true;
      return video;
    },
    extraSources: (shell, setFromUpload) =>
      sources.includes("webcam") ? [createRecorder({ kind: "video", shell, ctx, onFiles: setFromUpload })] : [],
    hideUpload: !sources.includes("upload"),
  });
}

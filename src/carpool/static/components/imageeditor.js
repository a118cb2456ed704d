// ImageEditor (also Sketchpad, Paint): draw with a brush or an eraser on layers over a background image.
// Wire value: {background, layers: [...], composite} as FileData (null until something is drawn or
// uploaded). Each finished stroke uploads the background, every layer and the flattened composite
// (PNG, through POST /upload), then the value changes ("input", "change", "apply").
import { Shell, h } from "./base.js";
import { acceptFrom } from "./upload.js";

function canvas(width, height) {
  const c = document.createElement("canvas");
  c.width = width;
  c.height = height;
  return c;
}

function loadImage(url) {
  return new Promise((resolve, reject) => {
    const image = new Image();
    image.addEventListener("load", () => resolve(image));
    image.addEventListener("error", () => reject(new Error("the image could not be loaded")));
    image.src = url;
  });
}

function toBlob(c) {
  return new Promise((resolve) => c.toBlob(resolve, "image/png"));
}

function autoSize(size, width, height) {
  return size === "auto" || !size ? Math.max(2, Math.round(Math.min(width, height) / 50)) : Number(size);
}

export function create(config, ctx) {
  const shell = new Shell(config, ctx, { labelTag: "span" });
  const props = shell.props;
  const [baseWidth, baseHeight] = props.canvas_size || [800, 800];
  const brush = props.brush;
  const eraser = props.eraser;
  const layerOptions = props.layers || { layers: ["Layer 1"], allow_additional_layers: true, disabled: false };
  const editor = {
    width: baseWidth,
    height: baseHeight,
    background: null, // a canvas, or null
    layers: [], // [{name, canvas}]
    active: 0,
    tool: brush ? "brush" : eraser ? "eraser" : null,
    color: brush ? brush.default_color : "#000000",
    size: null,
    dirty: false,
  };
  let value = null;
  let commits = 0;

  const view = h("canvas", { class: "cp-editor-canvas" });
  view.setAttribute("aria-label", props.label ? `Drawing area for ${props.label}` : "Drawing area");
  const toolbar = h("div", { class: "cp-editor-tools", role: "toolbar" });
  const error = h("p", { class: "cp-field-error", role: "alert", hidden: true });
  shell.body.append(toolbar, h("div", { class: "cp-editor-stage" }, view), error);

  // -- the picture ---------------------------------------------------------------------------------

  function resetLayers(width, height) {
    editor.width = width;
    editor.height = height;
    view.width = width;
    view.height = height;
    editor.layers = (layerOptions.layers || ["Layer 1"]).map((name) => ({ name, canvas: canvas(width, height) }));
    editor.active = 0;
    if (!editor.size) editor.size = autoSize(brush ? brush.default_size : "auto", width, height);
    refreshLayerSelect();
  }

  function repaint() {
    const g = view.getContext("2d");
    g.clearRect(0, 0, view.width, view.height);
    if (editor.background) g.drawImage(editor.background, 0, 0);
    for (const layer of editor.layers) g.drawImage(layer.canvas, 0, 0);
  }

  function setBackground(image) {
    const fixed = Boolean(props.fixed_canvas);
    const width = fixed ? baseWidth : image.naturalWidth || image.width;
    const height = fixed ? baseHeight : image.naturalHeight || image.height;
    const background = canvas(width, height);
    const scale = fixed ? Math.min(width / image.width, height / image.height) : 1;
    const w = image.width * scale;
    const hgt = image.height * scale;
    background.getContext("2d").drawImage(image, (width - w) / 2, (height - hgt) / 2, w, hgt);
    resetLayers(width, height);
    editor.background = background;
  }

  async function show(wire) {
    const ticket = ++commits; // a value from the server replaces whatever was being sent
    editor.background = null;
    const urls = (part) => (part ? ctx.client.fileUrl(part) : null);
    const background = urls(wire && (wire.background || wire.composite));
    const layers = ((wire && wire.layers) || []).map(urls).filter(Boolean);
    try {
      const images = await Promise.all([background, ...layers].map((u) => (u ? loadImage(u) : null)));
      if (ticket !== commits) return;
      if (images[0]) setBackground(images[0]);
      else if (images[1]) resetLayers(images[1].naturalWidth, images[1].naturalHeight);
      else resetLayers(baseWidth, baseHeight);
      images.slice(1).forEach((image, i) => {
        if (!editor.layers[i]) editor.layers.push({ name: `Layer ${i + 1}`, canvas: canvas(editor.width, editor.height) });
        editor.layers[i].canvas.getContext("2d").drawImage(image, 0, 0);
      });
      refreshLayerSelect();
      repaint();
    } catch (err) {
      error.textContent = err.message;
      error.hidden = false;
    }
  }

  /** Upload the picture's parts and make them the value. */
  async function commit(event) {
    const ticket = ++commits;
    const parts = [];
    if (editor.background) parts.push(["background", editor.background]);
    editor.layers.forEach((layer, i) => parts.push([`layer-${i}`, layer.canvas]));
    parts.push(["composite", view]);
    try {
      const blobs = await Promise.all(parts.map(([, c]) => toBlob(c)));
      const files = blobs.map((blob, i) => new File([blob], `${parts[i][0]}.png`, { type: "image/png" }));
      const uploaded = await ctx.client.upload(files);
      if (ticket !== commits) return; // a newer stroke or value superseded this one
      const next = { background: null, layers: [], composite: null };
      parts.forEach(([name], i) => {
        if (name === "background") next.background = uploaded[i];
        else if (name === "composite") next.composite = uploaded[i];
        else next.layers.push(uploaded[i]);
      });
      value = next;
      error.hidden = true;
      shell.userInput();
      if (event) shell.emit(event);
    } catch (err) {
      error.textContent = `Upload failed: ${err.message}`;
      error.hidden = false;
    }
  }

  // -- drawing -------------------------------------------------------------------------------------

  let stroke = null;
  const point = (e) => {
    const box = view.getBoundingClientRect();
    return [((e.clientX - box.left) * view.width) / box.width, ((e.clientY - box.top) * view.height) / box.height];
  };
  view.addEventListener("pointerdown", (e) => {
    if (!shell.interactive || !editor.tool || !editor.layers.length) return;
    e.preventDefault();
    view.setPointerCapture(e.pointerId);
    const g = editor.layers[editor.active].canvas.getContext("2d");
    g.globalCompositeOperation = editor.tool === "eraser" ? "destination-out" : "source-over";
    g.strokeStyle = editor.color;
    g.fillStyle = editor.color;
    g.lineWidth = editor.size * 2;
    g.lineCap = "round";
    g.lineJoin = "round";
    const [x, y] = point(e);
    g.beginPath();
    g.arc(x, y, editor.size, 0, Math.PI * 2);
    g.fill();
    g.beginPath();
    g.moveTo(x, y);
    stroke = g;
    repaint();
  });
  view.addEventListener("pointermove", (e) => {
    if (!stroke) return;
    const [x, y] = point(e);
    stroke.lineTo(x, y);
    stroke.stroke();
    stroke.beginPath();
    stroke.moveTo(x, y);
    repaint();
  });
  const endStroke = () => {
    if (!stroke) return;
    stroke.globalCompositeOperation = "source-over";
    stroke = null;
    commit("apply");
  };
  view.addEventListener("pointerup", endStroke);
  view.addEventListener("pointercancel", endStroke);

  // -- the toolbar ---------------------------------------------------------------------------------

  const toolButtons = [];
  function toolButton(tool, text) {
    const b = h("button", { type: "button", class: "cp-editor-tool", text });
    b.addEventListener("click", () => {
      editor.tool = tool;
      for (const other of toolButtons) other.setAttribute("aria-pressed", other === b ? "true" : "false");
    });
    b.setAttribute("aria-pressed", editor.tool === tool ? "true" : "false");
    toolButtons.push(b);
    return b;
  }

  const fileInput = h("input", { type: "file", class: "cp-file-input", tabindex: "-1", accept: acceptFrom(["image"]) });
  const upload = h("button", { type: "button", class: "cp-editor-tool", text: "Upload image" });
  upload.addEventListener("click", () => fileInput.click());
  fileInput.addEventListener("change", async () => {
    const file = fileInput.files && fileInput.files[0];
    fileInput.value = "";
    if (!file) return;
    const url = URL.createObjectURL(file);
    try {
      setBackground(await loadImage(url));
      repaint();
      await commit("upload");
    } catch (err) {
      error.textContent = err.message;
      error.hidden = false;
    } finally {
      URL.revokeObjectURL(url);
    }
  });
  if ((props.sources || []).includes("upload")) toolbar.append(upload, fileInput);
  if (brush) toolbar.append(toolButton("brush", "Brush"));
  if (eraser) toolbar.append(toolButton("eraser", "Eraser"));

  if (brush) {
    const swatches = h("div", { class: "cp-editor-swatches" });
    for (const color of brush.colors || []) {
      const swatch = h("button", { type: "button", class: "cp-editor-swatch" });
      swatch.style.background = color;
      swatch.setAttribute("aria-label", `Colour ${color}`);
      swatch.addEventListener("click", () => {
        editor.color = color;
      });
      swatches.append(swatch);
    }
    if (brush.color_mode !== "fixed") {
      const picker = h("input", { type: "color", class: "cp-editor-color" });
      picker.setAttribute("aria-label", "Brush colour");
      picker.addEventListener("input", () => {
        editor.color = picker.value;
      });
      swatches.append(picker);
    }
    toolbar.append(swatches);
  }
  const size = h("input", { type: "range", min: "1", max: "100", class: "cp-editor-size" });
  size.setAttribute("aria-label", "Brush size");
  size.addEventListener("input", () => {
    editor.size = Number(size.value);
  });
  if (brush || eraser) toolbar.append(size);

  const layerSelect = h("select", { class: "cp-input cp-editor-layer" });
  layerSelect.setAttribute("aria-label", "Layer");
  layerSelect.addEventListener("change", () => {
    editor.active = Number(layerSelect.value);
  });
  const addLayer = h("button", { type: "button", class: "cp-editor-tool", text: "Add layer" });
  addLayer.addEventListener("click", () => {
    editor.layers.push({ name: `Layer ${editor.layers.length + 1}`, canvas: canvas(editor.width, editor.height) });
    editor.active = editor.layers.length - 1;
    refreshLayerSelect();
    commit("apply");
  });
  function refreshLayerSelect() {
    layerSelect.replaceChildren(...editor.layers.map((layer, i) => h("option", { value: String(i), text: layer.name })));
    layerSelect.value = String(editor.active);
    size.value = String(editor.size || 1);
  }
  if (!layerOptions.disabled) {
    toolbar.append(layerSelect);
    if (layerOptions.allow_additional_layers) toolbar.append(addLayer);
  }
  const clear = h("button", { type: "button", class: "cp-editor-tool", text: "Clear" });
  clear.addEventListener("click", () => {
    ++commits;
    editor.background = null;
    resetLayers(baseWidth, baseHeight);
    repaint();
    value = null;
    shell.userInput();
    shell.emit("clear");
  });
  toolbar.append(clear);

  resetLayers(baseWidth, baseHeight);
  repaint();

  return shell.finish({
    getValue: () => value,
    setValue: (v) => {
      value = v === undefined ? null : v;
      if (value) show(value);
      else {
        ++commits;
        editor.background = null;
        resetLayers(baseWidth, baseHeight);
        repaint();
      }
    },
    setInteractive: (on) => {
      toolbar.hidden = !on;
    },
  });
}

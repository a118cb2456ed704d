// Model3D: a 3D model (glTF/GLB, OBJ, STL, PLY) drawn with the vendored three.js, turned with the mouse
// or a finger (orbit controls: drag to turn, wheel/pinch to zoom, right-drag/two fingers to pan).
// Wire value: FileData. three.js is imported only when a model is shown. Frames are drawn on demand
// (a control change, a resize), never in a loop, so an idle model costs nothing.
//
// Test hooks: the viewer is [data-testid="model3d-view"] with data-state="loading|ready|error|no-webgl"
// and, once ready, data-vertices (the model's vertex count).
import { h } from "./base.js";
import { createMedia } from "./media.js";

const THREE_URL = "../vendor/three/three.module.min.js";
const LOADERS = {
  ".glb": ["loaders/GLTFLoader.js", "GLTFLoader"],
  ".gltf": ["loaders/GLTFLoader.js", "GLTFLoader"],
  ".obj": ["loaders/OBJLoader.js", "OBJLoader"],
  ".stl": ["loaders/STLLoader.js", "STLLoader"],
  ".ply": ["loaders/PLYLoader.js", "PLYLoader"],
};

function extensionOf(fd, url) {
  const name = (fd && typeof fd === "object" && fd.orig_name) || String(url).split("?")[0];
  const match = /\.[a-z0-9]+$/i.exec(name);
  return match ? match[0].toLowerCase() : "";
}

// The page's CSP (connect-src 'self') refuses fetch() of data: URIs, which glTF files use to embed their
// buffers and images (Gradio's own samples do). So a .gltf is fetched as JSON and packed here into one
// binary glTF (GLB): every data: URI decoded into a single BIN chunk, images as buffer views, which
// GLTFLoader parses without fetching anything.
function decodeDataUri(uri) {
  const comma = uri.indexOf(",");
  const header = uri.slice(5, comma);
  const body = uri.slice(comma + 1);
  if (!header.endsWith(";base64")) return { bytes: new TextEncoder().encode(decodeURIComponent(body)), mime: header };
  const text = atob(body);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i += 1) bytes[i] = text.charCodeAt(i);
  return { bytes, mime: header.slice(0, -";base64".length) };
}

export function packGltf(json) {
  const gltf = structuredClone(json);
  const parts = [];
  let length = 0;
  const append = (bytes) => {
    const offset = length;
    parts.push(bytes);
    length += bytes.length;
    const pad = (4 - (length % 4)) % 4;
    if (pad) {
      parts.push(new Uint8Array(pad));
      length += pad;
    }
    return offset;
  };
  const offsets = (gltf.buffers || []).map((buffer) => {
    if (!buffer.uri || !buffer.uri.startsWith("data:")) throw new Error("a glTF buffer outside the file (use .glb, or embed it)");
    return append(decodeDataUri(buffer.uri).bytes);
  });
  for (const view of gltf.bufferViews || []) {
    view.byteOffset = (view.byteOffset || 0) + offsets[view.buffer];
    view.buffer = 0;
  }
  gltf.bufferViews = gltf.bufferViews || [];
  for (const image of gltf.images || []) {
    if (!image.uri || !image.uri.startsWith("data:")) continue;
    const { bytes, mime } = decodeDataUri(image.uri);
    gltf.bufferViews.push({ buffer: 0, byteOffset: append(bytes), byteLength: bytes.length });
    image.bufferView = gltf.bufferViews.length - 1;
    image.mimeType = image.mimeType || mime;
    delete image.uri;
  }
  gltf.buffers = length ? [{ byteLength: length }] : [];
  const text = new TextEncoder().encode(JSON.stringify(gltf));
  const jsonLength = Math.ceil(text.length / 4) * 4;
  const glb = new Uint8Array(12 + 8 + jsonLength + (length ? 8 + length : 0));
  const view = new DataView(glb.buffer);
  view.setUint32(0, 0x46546c67, true); // "glTF"
  view.setUint32(4, 2, true);
  view.setUint32(8, glb.length, true);
  view.setUint32(12, jsonLength, true);
  view.setUint32(16, 0x4e4f534a, true); // "JSON"
  glb.fill(0x20, 20, 20 + jsonLength);
  glb.set(text, 20);
  if (length) {
    view.setUint32(20 + jsonLength, length, true);
    view.setUint32(24 + jsonLength, 0x004e4942, true); // "BIN\0"
    let at = 28 + jsonLength;
    for (const part of parts) {
      glb.set(part, at);
      at += part.length;
    }
  }
  return glb.buffer;
}

async function loadObject(THREE, extension, url) {
  const [file, name] = LOADERS[extension];
  const module = await import(`../vendor/three/addons/${file}`);
  let loaded;
  if (extension === ".gltf") {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    loaded = await new module[name]().parseAsync(packGltf(await response.json()), "");
  } else {
    loaded = await new module[name]().loadAsync(url);
  }
  if (loaded && loaded.scene) return loaded.scene; // glTF
  if (loaded && loaded.isBufferGeometry) {
    // STL and PLY are bare geometry: give them a surface (and their own vertex colours, if any)
    if (!loaded.attributes.normal) loaded.computeVertexNormals();
    const colored = Boolean(loaded.attributes.color);
    return new THREE.Mesh(loaded, new THREE.MeshStandardMaterial({ color: colored ? 0xffffff : 0x9aa4b8, vertexColors: colored }));
  }
  return loaded; // OBJ: a Group
}

function applyDisplayMode(THREE, object, mode) {
  if (mode === "wireframe") {
    object.traverse((node) => {
      if (node.isMesh) for (const m of [].concat(node.material)) m.wireframe = true;
    });
  } else if (mode === "point_cloud") {
    const meshes = [];
    object.traverse((node) => node.isMesh && meshes.push(node));
    for (const mesh of meshes) {
      const points = new THREE.Points(mesh.geometry, new THREE.PointsMaterial({ size: 0.01, sizeAttenuation: true, color: 0x9aa4b8 }));
      points.applyMatrix4(mesh.matrix);
      mesh.parent.add(points);
      mesh.parent.remove(mesh);
    }
  }
}

function countVertices(object) {
  let n = 0;
  object.traverse((node) => {
    if (node.geometry && node.geometry.attributes.position) n += node.geometry.attributes.position.count;
  });
  return n;
}

/** Gradio's camera_position: (alpha, beta, radius) in degrees / scene units, each optional. */
function placeCamera(THREE, camera, controls, box, position) {
  const center = box.getCenter(new THREE.Vector3());
  const size = box.getSize(new THREE.Vector3()).length() || 1;
  const [alpha, beta, radius] = (position || []).map((v) => (v === null || v === undefined ? null : Number(v)));
  const r = radius ?? size * 1.2;
  const a = THREE.MathUtils.degToRad(alpha ?? 45);
  const b = THREE.MathUtils.degToRad(beta ?? 60);
  camera.position.set(center.x + r * Math.sin(b) * Math.cos(a), center.y + r * Math.cos(b), center.z + r * Math.sin(b) * Math.sin(a));
  camera.near = size / 1000;
  camera.far = size * 100 + r * 10;
  camera.updateProjectionMatrix();
  controls.target.copy(center);
  controls.update();
}

async function draw(view, url, fd, props, cleanup) {
  const extension = extensionOf(fd, url);
  if (!LOADERS[extension]) throw new Error(`cannot show ${extension || "this file"} (glb, gltf, obj, stl, ply)`);
  const THREE = await import(THREE_URL);
  const { OrbitControls } = await import("../vendor/three/addons/controls/OrbitControls.js");
  let renderer;
  try {
    renderer = new THREE.WebGLRenderer({ antialias: true, alpha: true });
  } catch {
    view.dataset.state = "no-webgl";
    view.replaceChildren(h("p", { class: "cp-media-empty", text: "This browser cannot draw 3D (no WebGL); download the model instead." }));
    return;
  }
  const [r, g, b, a] = (props.clear_color || [0, 0, 0, 0]).map(Number);
  renderer.setClearColor(new THREE.Color(r, g, b), Number.isFinite(a) ? a : 0);
  renderer.setPixelRatio(Math.min(window.devicePixelRatio || 1, 2));
  const scene = new THREE.Scene();
  scene.add(new THREE.HemisphereLight(0xffffff, 0x444455, 2.2));
  const sun = new THREE.DirectionalLight(0xffffff, 1.6);
  sun.position.set(1, 2, 1.5);
  scene.add(sun);
  const camera = new THREE.PerspectiveCamera(45, 1, 0.01, 1000);
  const controls = new OrbitControls(camera, renderer.domElement);
  controls.zoomSpeed = Number(props.zoom_speed ?? 1);
  controls.panSpeed = Number(props.pan_speed ?? 1);
  const render = () => renderer.render(scene, camera);
  controls.addEventListener("change", render);
  const resize = () => {
    const width = Math.max(1, view.clientWidth);
    const height = Math.max(1, view.clientHeight);
    renderer.setSize(width, height, false);
    camera.aspect = width / height;
    camera.updateProjectionMatrix();
    render();
  };
  const observer = new ResizeObserver(resize);
  cleanup.push(() => {
    observer.disconnect();
    controls.dispose();
    renderer.dispose();
  });
  const object = await loadObject(THREE, extension, url);
  applyDisplayMode(THREE, object, props.display_mode);
  scene.add(object);
  renderer.domElement.classList.add("cp-model3d-canvas");
  renderer.domElement.setAttribute("aria-label", props.label || "3D model");
  view.replaceChildren(renderer.domElement);
  placeCamera(THREE, camera, controls, new THREE.Box3().setFromObject(object), props.camera_position);
  observer.observe(view);
  resize();
  view.dataset.vertices = String(countVertices(object));
  view.dataset.state = "ready";
}

export function create(config, ctx) {
  const props = config.props || {};
  let cleanup = [];
  return createMedia(config, ctx, {
    noun: "3D model",
    accept: (props.extensions || [".glb", ".gltf", ".obj", ".stl", ".ply"]).join(","),
    render: (url, fd) => {
      for (const undo of cleanup) undo();
      cleanup = [];
      const view = h("div", { class: "cp-model3d", "data-testid": "model3d-view", "data-state": "loading" }, h("p", { class: "cp-media-empty", text: "Loading the model…" }));
      if (props.height) view.style.height = typeof props.height === "number" ? `${props.height}px` : props.height;
      const mine = cleanup;
      draw(view, url, fd, props, mine).catch((err) => {
        for (const undo of mine) undo();
        view.dataset.state = "error";
        view.replaceChildren(h("p", { class: "cp-field-error", role: "alert", text: `Could not show the model: ${err.message}` }));
      });
      return view;
    },
  });
}

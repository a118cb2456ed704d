// "Use via API": every named endpoint (from GET /info, else from /config) with its parameters and
// snippets ready to copy for the Python client and for curl. Opened from the footer link or ?view=api.

import { h } from "./components/base.js";

function schemaType(schema) {
  if (!schema || typeof schema !== "object") return "any";
  if (schema.title && schema.title.startsWith("FileData")) return "file";
  if (Array.isArray(schema.type)) return schema.type.join(" | ");
  if (schema.type === "array") return `list[${schemaType(schema.items)}]`;
  if (schema.enum) return schema.enum.map((v) => JSON.stringify(v)).join(" | ");
  if (schema.anyOf || schema.oneOf) return (schema.anyOf || schema.oneOf).map(schemaType).join(" | ");
  if (schema.properties && schema.properties.file_id) return "file";
  return schema.type || "any";
}

function param(raw, index, fallbackName) {
  const schema = raw.schema || raw.type || {};
  const name = raw.parameter_name || raw.name || raw.label || fallbackName || `input_${index}`;
  const example = "example" in raw ? raw.example : "example_input" in raw ? raw.example_input : raw.example_payload;
  const pythonType = raw.python_type && (raw.python_type.type || raw.python_type);
  return {
    name: String(name),
    label: raw.label || null,
    component: raw.component || null,
    type: typeof pythonType === "string" ? pythonType : schemaType(typeof schema === "string" ? { type: schema } : schema),
    example: example === undefined ? null : example,
  };
}

/** Endpoints from /info, in whichever of the two shapes it comes: {endpoints} or {named_endpoints}. */
export function normalizeEndpoints(info, config) {
  const table = (info && (info.endpoints || info.named_endpoints)) || null;
  if (table) {
    const entries = Array.isArray(table) ? table.map((e) => [e.api_name || e.name, e]) : Object.entries(table);
    // An alias (an Interface's "predict") answers too, but the panel shows each endpoint once.
    return entries.filter(([, e]) => !e.alias_of).map(([name, e]) => ({
      name: String(name).replace(/^\//, ""),
      description: e.description || null,
      batch: e.batch ?? null,
      maxBatchSize: e.max_batch_size ?? null,
      // State values live on the server per session: API callers leave them out.
      parameters: (e.parameters || []).filter((p) => !p.stateful).map((p, i) => param(p, i)),
      returns: (e.returns || []).filter((p) => !p.stateful).map((p, i) => param(p, i, `output_${i}`)),
    }));
  }
  const configs = new Map((config.components || []).map((c) => [c.id, c]));
  const describe = (id, i, prefix) => {
    const c = configs.get(id) || { props: {} };
    return { name: (c.props && c.props.label) || `${prefix}_${i}`, component: c.type, type: "any", example: c.props ? c.props.value ?? null : null };
  };
  return (config.dependencies || [])
    .filter((d) => d.backend_fn && typeof d.api_name === "string" && d.api_name)
    .map((d) => {
      const visible = (ids) => (ids || []).filter((id) => String((configs.get(id) || {}).type) !== "state");
      return {
        name: d.api_name, description: null, batch: d.batch, maxBatchSize: d.max_batch_size,
        parameters: visible(d.inputs).map((id, i) => describe(id, i, "input")),
        returns: visible(d.outputs).map((id, i) => describe(id, i, "output")),
      };
    });
}

/** A JSON value written as a Python literal. */
export function pythonLiteral(value) {
  if (value === null || value === undefined) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  if (Array.isArray(value)) return `[${value.map(pythonLiteral).join(", ")}]`;
  if (typeof value === "object") {
    return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${pythonLiteral(v)}`).join(", ")}}`;
  }
  return JSON.stringify(value);
}

function baseUrl(client) {
  return client.root.href;
}

export function pythonSnippet(client, endpoint) {
  const args = endpoint.parameters.map((p) => `    ${pythonLiteral(p.example)},  # ${p.name}: ${p.type}`);
  return [
    "import carpool",
    "",
    `client = carpool.Client(${JSON.stringify(baseUrl(client))})`,
    "result = client.predict(",
    ...args,
    `    api_name="/${endpoint.name}",`,
    ")",
    "print(result)",
  ].join("\n");
}

export function curlSnippet(client, endpoint) {
  const body = JSON.stringify({ data: endpoint.parameters.map((p) => p.example) });
  const quoted = `'${body.replace(/'/g, "'\\''")}'`;
  return [
    `curl -X POST ${new URL(`api/${endpoint.name}`, client.root).href} \\`,
    "  -H 'Content-Type: application/json' \\",
    `  -d ${quoted}`,
  ].join("\n");
}

function codeBlock(title, code, testid) {
  const copy = h("button", { type: "button", class: "cp-button cp-secondary cp-size-sm", text: "Copy", "data-testid": testid });
  copy.setAttribute("aria-label", `Copy ${title} snippet`);
  copy.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(code);
      copy.textContent = "Copied";
    } catch {
      copy.textContent = "Select and copy";
    }
    setTimeout(() => {
      copy.textContent = "Copy";
    }, 1500);
  });
  return h("div", { class: "cp-code" },
    h("div", { class: "cp-code-head" }, h("span", { text: title }), copy),
    h("pre", { tabindex: "0" }, h("code", { text: code })));
}

function endpointSection(client, e) {
  const rows = e.parameters.map((p) =>
    h("tr", {}, h("td", {}, h("code", { text: p.name })), h("td", { text: p.type }),
      h("td", { text: p.component || "" }), h("td", {}, h("code", { text: JSON.stringify(p.example) }))));
  const batching = e.batch ? `batched · up to ${e.maxBatchSize} per call` : null;
  return h("section", { class: "cp-endpoint", "data-testid": `api-endpoint-${e.name}` },
    h("h3", {}, h("code", { text: `/${e.name}` }), batching ? h("span", { class: "cp-badge", text: batching }) : ""),
    e.description ? h("p", { text: e.description }) : "",
    e.parameters.length
      ? h("div", { class: "cp-table-wrap" }, h("table", { class: "cp-api-params" },
          h("thead", {}, h("tr", {}, ["Parameter", "Type", "Component", "Example"].map((t) => h("th", { scope: "col", text: t })))),
          h("tbody", {}, rows)))
      : h("p", { class: "cp-muted", text: "No parameters." }),
    h("p", { class: "cp-muted", text: `Returns: ${e.returns.map((r) => `${r.name} (${r.type})`).join(", ") || "nothing"}` }),
    codeBlock("Python", pythonSnippet(client, e), `copy-python-${e.name}`),
    codeBlock("curl", curlSnippet(client, e), `copy-curl-${e.name}`));
}

let dialog = null;

export async function openApiPanel(client, config) {
  if (!dialog) {
    const close = h("button", { type: "button", class: "cp-icon-button", text: "×", "aria-label": "Close API panel" });
    const content = h("div", { class: "cp-api-content" }, h("p", { class: "cp-muted", text: "Loading…" }));
    dialog = h("dialog", { class: "cp-api-panel", "aria-labelledby": "cp-api-title", "data-testid": "api-panel" },
      h("div", { class: "cp-api-head" }, h("h2", { id: "cp-api-title", text: "Use via API" }), close), content);
    close.addEventListener("click", () => dialog.close());
    dialog.addEventListener("click", (e) => e.target === dialog && dialog.close());
    document.body.append(dialog);
    let info = null;
    try {
      info = await client.getJson("info");
    } catch (err) {
      console.warn("carpool: GET /info failed; listing endpoints from /config", err);
    }
    const endpoints = normalizeEndpoints(info, config);
    content.replaceChildren(
      h("p", {}, `${endpoints.length} endpoint${endpoints.length === 1 ? "" : "s"}. Install the client with `,
        h("code", { text: "pip install carpool" }), ". Requests from the API are queued and batched together with the page's."),
      ...endpoints.map((e) => endpointSection(client, e)));
  }
  if (!dialog.open) dialog.showModal();
  return dialog;
}

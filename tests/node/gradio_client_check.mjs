// Drives the official @gradio/client against the carpool app at process.argv[2] and prints what it
// saw as one JSON object (tests/integration/test_gradio_js_client.py asserts on it). Any exception
// ends the run with a non-zero status and its message on stderr.
import { Client, handle_file } from "@gradio/client";

const url = process.argv[2];
const seen = {};

const client = await Client.connect(url, { events: ["data", "status"] });

const api = await client.view_api();
seen.named_endpoints = Object.keys(api.named_endpoints).sort();
seen.greet_parameters = api.named_endpoints["/greet"].parameters.map((p) => p.parameter_name);
seen.count_is_generator = api.named_endpoints["/count"].type.generator;

seen.predict = (await client.predict("/greet", { name: "ab", times: 2 })).data;
seen.predict_positional = (await client.predict("/greet", ["cd", 1])).data;

// A generator: every partial output arrives as its own "data" event, in order.
const partials = [];
const stages = [];
for await (const message of client.submit("/count", { times: 4 })) {
	if (message.type === "data") partials.push(message.data);
	if (message.type === "status") stages.push(message.stage);
	if (message.type === "status" && (message.stage === "complete" || message.stage === "error")) break;
}
seen.partials = partials;
seen.stages = [...new Set(stages)];

// A file goes up through /gradio_api/upload; a file output comes back with a URL that serves it.
const upload = handle_file(new Blob([Buffer.from("upload me")], { type: "text/plain" }));
seen.shout_file = (await client.predict("/shout_file", [upload])).data;
const copied = (await client.predict("/copy_file", [handle_file(new Blob([Buffer.from("abc")]))])).data[0];
seen.copied_name = copied.orig_name;
seen.copied_bytes = await (await fetch(copied.url)).text();

// State stays with the client's session.
seen.tally = [(await client.predict("/tally", ["a"])).data, (await client.predict("/tally", ["b"])).data];

try {
	await client.predict("/refuse", ["fish"]);
	seen.error = null;
} catch (error) {
	seen.error = error.message ?? String(error);
}

client.close();
console.log(JSON.stringify(seen));
process.exit(0);

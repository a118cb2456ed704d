// @gradio/client calling a carpool ChatInterface at process.argv[2] with Gradio's call shape: the message
// only, the conversation kept in the client's session. Prints one JSON object.
import { Client } from "@gradio/client";

const client = await Client.connect(process.argv[2]);
const seen = {};
seen.first = (await client.predict("/chat", { message: "hi" })).data;
seen.second = (await client.predict("/chat", { message: "again" })).data;
const api = await client.view_api();
seen.parameters = api.named_endpoints["/chat"].parameters.map((p) => p.parameter_name);
client.close();

console.log(JSON.stringify(seen));
process.exit(0);

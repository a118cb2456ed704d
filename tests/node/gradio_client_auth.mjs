// @gradio/client logging in to the carpool app at process.argv[2] (launched with auth=("ada", "lovelace")):
// a wrong password is refused, the right one lets it call an endpoint. Prints one JSON object.
import { Client } from "@gradio/client";

const url = process.argv[2];
const seen = {};

try {
	await Client.connect(url, { auth: ["ada", "wrong"] });
	seen.wrong_password = "accepted";
} catch (error) {
	seen.wrong_password = error.message ?? String(error);
}

const client = await Client.connect(url, { auth: ["ada", "lovelace"] });
seen.predict = (await client.predict("/greet", { name: "ok", times: 1 })).data;
client.close();

console.log(JSON.stringify(seen));
process.exit(0);

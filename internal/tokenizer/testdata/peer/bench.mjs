// Dev-only: times llama.cpp's tokenizer (node-llama-cpp) on a text file.
//   node bench.mjs PEERDIR VOCAB.gguf TEXT [REPS]
// Prints the median wall time of model.tokenize over REPS runs, timed
// around the call only, and the throughput.
import fs from "node:fs";
import path from "node:path";
import {createRequire} from "node:module";

const [peer, vocab, file, reps = "5"] = process.argv.slice(2);
const require = createRequire(path.join(peer, "package.json"));
const {getLlama} = await import(require.resolve("node-llama-cpp"));
const llama = await getLlama({gpu: false, build: "never", logLevel: "error"});
const model = await llama.loadModel({modelPath: vocab, vocabOnly: true});
const text = fs.readFileSync(file, "utf8");
const times = [];
let n = 0;
for (let i = 0; i < Number(reps); i++) {
  const t0 = performance.now();
  n = model.tokenize(text, false).length;
  times.push(performance.now() - t0);
}
times.sort((a, b) => a - b);
const med = times[times.length >> 1];
console.log(JSON.stringify({vocab: path.basename(vocab), bytes: Buffer.byteLength(text), tokens: n, median_ms: +med.toFixed(1), mb_per_s: +(Buffer.byteLength(text) / 1048576 / (med / 1000)).toFixed(2), runs_ms: times.map(t => +t.toFixed(1))}));
await model.dispose(); await llama.dispose();

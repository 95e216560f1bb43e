// Dev-only: regenerates ../golden/*.json with llama.cpp (node-llama-cpp).
// Copy ../../../../../shared/peer to a temp dir, npm install there, then:
//   node golden.mjs PEERDIR VOCABDIR CORPUSDIR OUTDIR NAME...
// For each vocabulary NAME it writes OUTDIR/NAME.json: for every corpus
// file, llama.cpp's token ids without BOS, plain and with special parsing.
import fs from "node:fs";
import path from "node:path";
import {createRequire} from "node:module";

const [peer, vocabDir, corpusDir, outDir, ...names] = process.argv.slice(2);
const require = createRequire(path.join(peer, "package.json"));
const {getLlama} = await import(require.resolve("node-llama-cpp"));
const llama = await getLlama({gpu: false, build: "never", logLevel: "error"});
const files = fs.readdirSync(corpusDir).filter(f => f.endsWith(".txt")).sort();
for (const name of names) {
  const model = await llama.loadModel({modelPath: path.join(vocabDir, `ggml-vocab-${name}.gguf`), vocabOnly: true});
  const out = {};
  for (const f of files) {
    const text = fs.readFileSync(path.join(corpusDir, f), "utf8");
    out[f] = {plain: Array.from(model.tokenize(text, false)), special: Array.from(model.tokenize(text, true))};
  }
  fs.writeFileSync(path.join(outDir, `${name}.json`), JSON.stringify(out, null, 0) + "\n");
  await model.dispose();
  console.error(name, "done");
}
await llama.dispose();

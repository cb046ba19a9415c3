#!/usr/bin/env node
// Runs an ONNX model in ONNX Runtime (CPU) on one batch and prints the outputs.
//   node scripts/onnx/run.mjs MODEL.onnx INPUT.f32 DIMS [INPUT2.f32 DIMS2 ...] [--out OUTPUT.f32]
// Each INPUT.f32 holds one model input (in the model's input order) as raw little-endian
// float32, row-major, of shape DIMS ("4,784"). Prints one line per input and output with its
// name and shape, then each output's rows; with --out, output k is also written as raw float32
// to OUTPUT.f32 (k = 0) or OUTPUT.f32.k (the C++ tests compare them with xgrad's predict).
// Exit status: 0 ok, 2 usage, 3 onnxruntime-node missing, 1 any other error.
import fs from 'node:fs';
import { loadOnnxruntime } from './ort.mjs';

const args = process.argv.slice(2);
let outFile = null;
const outAt = args.indexOf('--out');
if (outAt >= 0) {
  outFile = args[outAt + 1];
  args.splice(outAt, 2);
}
const [model, ...pairs] = args;
if (!model || pairs.length === 0 || pairs.length % 2 !== 0 || (outAt >= 0 && !outFile)) {
  console.error('usage: node scripts/onnx/run.mjs MODEL.onnx INPUT.f32 DIMS [INPUT2.f32 DIMS2 ...] [--out OUTPUT.f32]');
  process.exit(2);
}
const ort = loadOnnxruntime();
try {
  const session = await ort.InferenceSession.create(model);
  if (pairs.length / 2 !== session.inputNames.length) {
    throw new Error(`${model} takes ${session.inputNames.length} inputs (${session.inputNames}), got ${pairs.length / 2}`);
  }
  const feeds = {};
  console.log(`onnxruntime-node ${ort.env.versions?.common ?? ''}: ${model}`);
  session.inputNames.forEach((name, k) => {
    const [file, dimsText] = [pairs[2 * k], pairs[2 * k + 1]];
    const dims = dimsText.split(',').map(Number);
    const bytes = fs.readFileSync(file);
    const data = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    const expected = dims.reduce((a, b) => a * b, 1);
    if (data.length !== expected) throw new Error(`${file} holds ${data.length} floats, shape ${dims} needs ${expected}`);
    feeds[name] = new ort.Tensor('float32', data, dims);
    console.log(`input ${name} [${dims}]`);
  });
  const results = await session.run(feeds);
  session.outputNames.forEach((name, k) => {
    const out = results[name];
    console.log(`-> output ${name} [${out.dims}]`);
    const cols = out.dims.length > 1 ? out.dims.slice(1).reduce((a, b) => a * b, 1) : 1;
    for (let r = 0; r * cols < out.data.length; ++r) {
      console.log(Array.from(out.data.slice(r * cols, (r + 1) * cols), (v) => v.toPrecision(9)).join(' '));
    }
    if (outFile) {
      const path = k === 0 ? outFile : `${outFile}.${k}`;
      fs.writeFileSync(path, Buffer.from(out.data.buffer, out.data.byteOffset, out.data.byteLength));
    }
  });
} catch (e) {
  console.error(`run.mjs: ${e.message}`);
  process.exit(1);
}

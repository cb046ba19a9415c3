#!/usr/bin/env node
// Runs an ONNX model in ONNX Runtime (CPU) on one batch and prints the outputs.
//   node scripts/onnx/run.mjs MODEL.onnx INPUT.f32 DIMS [OUTPUT.f32]
// INPUT.f32 holds the batch as raw little-endian float32, row-major, of shape DIMS ("4,784").
// Prints the input and output names and shapes, then the output rows; with OUTPUT.f32 the
// output is also written there as raw float32 (the C++ tests compare it with xgrad's predict).
// Exit status: 0 ok, 2 usage, 3 onnxruntime-node missing, 1 any other error.
import fs from 'node:fs';
import { loadOnnxruntime } from './ort.mjs';

const [model, inputFile, dimsText, outputFile] = process.argv.slice(2);
if (!model || !inputFile || !dimsText) {
  console.error('usage: node scripts/onnx/run.mjs MODEL.onnx INPUT.f32 DIMS [OUTPUT.f32]');
  process.exit(2);
}
const ort = loadOnnxruntime();
try {
  const dims = dimsText.split(',').map(Number);
  const bytes = fs.readFileSync(inputFile);
  const data = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  const expected = dims.reduce((a, b) => a * b, 1);
  if (data.length !== expected) throw new Error(`${inputFile} holds ${data.length} floats, shape ${dims} needs ${expected}`);
  const session = await ort.InferenceSession.create(model);
  const inputName = session.inputNames[0];
  const outputName = session.outputNames[0];
  const results = await session.run({ [inputName]: new ort.Tensor('float32', data, dims) });
  const out = results[outputName];
  console.log(`onnxruntime-node ${ort.env.versions?.common ?? ''}: ${model}`);
  console.log(`input ${inputName} [${dims}] -> output ${outputName} [${out.dims}]`);
  const cols = out.dims.length > 1 ? out.dims.slice(1).reduce((a, b) => a * b, 1) : 1;
  for (let r = 0; r * cols < out.data.length; ++r) {
    console.log(Array.from(out.data.slice(r * cols, (r + 1) * cols), (v) => v.toPrecision(9)).join(' '));
  }
  if (outputFile) fs.writeFileSync(outputFile, Buffer.from(out.data.buffer, out.data.byteOffset, out.data.byteLength));
} catch (e) {
  console.error(`run.mjs: ${e.message}`);
  process.exit(1);
}

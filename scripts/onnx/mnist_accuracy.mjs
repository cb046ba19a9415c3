#!/usr/bin/env node
// The test accuracy of an exported MNIST model in ONNX Runtime (CPU) on the 10,000 test images.
//   node scripts/onnx/mnist_accuracy.mjs MODEL.onnx [DATA_DIR]
// DATA_DIR (default $XGRAD_DATA_DIR or ${XDG_CACHE_HOME:-~/.cache}/xgrad/mnist, as
// scripts/fetch_mnist.sh fills it) holds t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte,
// raw or .gz. Pixels are scaled exactly as xgrad::data::load_mnist does (float32(p) / 255), and
// a prediction is the first index of the row's maximum, as xgrad's accuracy metric takes it.
// The images are shaped as the model's input says ((N, 784) or (N, 28, 28, 1)).
// Prints "onnxruntime test_acc: 0.9812 (9812/10000)".
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { loadOnnxruntime } from './ort.mjs';

const [model, dataArg] = process.argv.slice(2);
if (!model) {
  console.error('usage: node scripts/onnx/mnist_accuracy.mjs MODEL.onnx [DATA_DIR]');
  process.exit(2);
}
const dataDir = dataArg || process.env.XGRAD_DATA_DIR ||
  path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'xgrad', 'mnist');

// The bytes of an IDX file, raw or gzipped, after checking its magic number.
function readIdx(name, magic) {
  const raw = path.join(dataDir, name);
  const bytes = fs.existsSync(raw) ? fs.readFileSync(raw) : zlib.gunzipSync(fs.readFileSync(raw + '.gz'));
  if (bytes.readUInt32BE(0) !== magic) throw new Error(`${raw}: not an IDX file with magic ${magic}`);
  return bytes;
}

const ort = loadOnnxruntime();
try {
  const images = readIdx('t10k-images-idx3-ubyte', 2051);
  const labels = readIdx('t10k-labels-idx1-ubyte', 2049);
  const n = images.readUInt32BE(4);
  const pixels = images.readUInt32BE(8) * images.readUInt32BE(12);
  if (labels.readUInt32BE(4) !== n) throw new Error('test images and labels disagree in count');
  const x = new Float32Array(n * pixels);
  for (let i = 0; i < x.length; ++i) x[i] = Math.fround(images[16 + i] / 255);
  const session = await ort.InferenceSession.create(model);
  // The model's own per-image shape: (784) for the MLP, (28, 28, 1) for the convnet.
  const perImage = session.inputMetadata[0].shape.slice(1);
  if (perImage.reduce((a, b) => a * b, 1) !== pixels) throw new Error(`the model takes images of shape [${perImage}], not ${pixels} pixels`);
  const results = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', x, [n, ...perImage]) });
  const out = results[session.outputNames[0]];
  const classes = out.dims[1];
  let hits = 0;
  for (let i = 0; i < n; ++i) {
    let best = 0;
    for (let j = 1; j < classes; ++j) if (out.data[i * classes + j] > out.data[i * classes + best]) best = j;
    hits += best === labels[8 + i] ? 1 : 0;
  }
  console.log(`onnxruntime test_acc: ${hits / n} (${hits}/${n})`);
} catch (e) {
  console.error(`mnist_accuracy.mjs: ${e.message}`);
  process.exit(1);
}

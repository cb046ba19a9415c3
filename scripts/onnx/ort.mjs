// Loads npm's onnxruntime-node (CPU) from the cache directory scripts/install_onnxruntime.sh
// fills: $XGRAD_ONNXRUNTIME_DIR, else ${XDG_CACHE_HOME:-~/.cache}/xgrad/node. It is never
// installed inside the repository.
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

export function onnxruntimeDir() {
  if (process.env.XGRAD_ONNXRUNTIME_DIR) return process.env.XGRAD_ONNXRUNTIME_DIR;
  const cache = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(cache, 'xgrad', 'node');
}

export function loadOnnxruntime() {
  const dir = onnxruntimeDir();
  try {
    return createRequire(path.join(dir, 'package.json'))('onnxruntime-node');
  } catch (e) {
    console.error(`onnxruntime-node is not installed in ${dir} (run scripts/install_onnxruntime.sh): ${e.message}`);
    process.exit(3);
  }
}

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadMnistNetwork } from '../nets/mnist.js';
import { writeNetworkOnnx } from '../nets/onnxExport.js';
import { OnnxOracle } from '../oracle/onnxOracle.js';

/**
 * The bundled MNIST model as the experiment queries it: its own weights (float32 values,
 * widened exactly) in a float64 ONNX graph, run in process by onnxruntime. The paper's setting
 * — exact arithmetic up to float64 rounding — against weights known exactly; onnxruntime
 * answers ~25× faster than the plain float64 `forward` loop, which the label and bit runs'
 * ~2 M queries need.
 */
export async function openMnistF64Model(): Promise<OnnxOracle> {
  const dir = await mkdtemp(join(tmpdir(), 'spanrec-mnist-f64-'));
  try {
    const path = join(dir, 'mnist-f64.onnx');
    await writeNetworkOnnx(path, await loadMnistNetwork(), { dtype: 'f64' });
    return await OnnxOracle.create(path);
  } finally {
    // The session holds the model in memory: the file is not needed after loading.
    await rm(dir, { recursive: true, force: true });
  }
}

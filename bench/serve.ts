// `npm run bench:serve`: a bounded load test of `spanrec serve`'s server on loopback, and the
// HTTP oracle's rows/s beside the ONNX oracle's on the same model; writes its own section of
// docs/BENCHMARKS.md. Loopback only (127.0.0.1); every loop is bounded in count and time.
import { cpus, tmpdir } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { encodeInferRequest } from '../src/oip/protocol.js';
import { startOipServer } from '../src/oip/server.js';
import { writeNetworkOnnx } from '../src/nets/onnxExport.js';
import { randomNetwork } from '../src/nets/randomNetwork.js';
import { HttpOracle } from '../src/oracle/httpOracle.js';
import { OnnxOracle } from '../src/oracle/onnxOracle.js';
import type { Oracle } from '../src/oracle/oracle.js';
import { Rng } from '../src/random/rng.js';
import { writeSection } from './sections.js';

/** The model: an MNIST-sized ReLU net (784 → 128 → 64 → 10), float64 ONNX. */
const SHAPE = { inputDim: 784, firstWidth: 128, hiddenWidths: [64], outputs: 10 };
/** Load test: at most this many requests, and at most this many seconds, per concurrency. */
const LOAD_MAX_REQUESTS = 400;
const LOAD_MAX_SECONDS = 20;
const LOAD_ROWS_PER_REQUEST = 64;
const LOAD_CONCURRENCY = [1, 8, 32];
/** Oracle comparison: this many rows, queried in batches as a recovery method does. */
const ORACLE_ROWS = 16384;
const ORACLE_BATCH = 1024;

const dir = mkdtempSync(join(tmpdir(), 'spanrec-bench-serve-'));
try {
  const net = randomNetwork({ ...SHAPE, activation: 'relu', bias: true }, new Rng(1));
  const path = join(dir, 'mnist-sized.onnx');
  await writeNetworkOnnx(path, net, { dtype: 'f64' });
  const served = await OnnxOracle.create(path);
  const server = await startOipServer(served, '127.0.0.1', 0, { modelName: 'm' });
  const url = `http://127.0.0.1:${server.port}/v2/models/m`;
  const rng = new Rng(2);
  const rowsData = Float64Array.from({ length: LOAD_ROWS_PER_REQUEST * 784 }, () => rng.gaussian());
  const body = encodeInferRequest(
    { inputName: 'x', datatype: 'FP64', rowShape: [784] },
    rowsData,
    LOAD_ROWS_PER_REQUEST,
  );
  const loadRows: string[] = [];
  for (const concurrency of LOAD_CONCURRENCY) loadRows.push(await load(url, body, concurrency));

  const onnx = await OnnxOracle.create(path);
  const http = await HttpOracle.create(url);
  const oracleRows = [
    await rowsPerSecond('onnx (in process)', onnx),
    await rowsPerSecond('http (spanrec serve, loopback)', http),
  ];
  await onnx.dispose();
  await http.dispose();
  await server.close();
  await served.dispose();

  writeSection(
    'serve',
    `## Serving over the Open Inference Protocol (\`npm run bench:serve\`)

Written by \`npm run bench:serve\` (bench/serve.ts); do not edit by hand. Machine: ${cpus().length} ×
${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}. Model: a ${SHAPE.inputDim} → ${SHAPE.firstWidth} → ${SHAPE.hiddenWidths.join(' → ')} → ${SHAPE.outputs}
float64 ReLU net as ONNX, served by \`spanrec serve\`'s server on 127.0.0.1 (client and server run in one Node process, so they
share one event loop: a lower bound on a separate server's throughput).

**Load test**: POST infer requests of ${LOAD_ROWS_PER_REQUEST} rows, at most ${LOAD_MAX_REQUESTS} requests or ${LOAD_MAX_SECONDS} s per line.

| concurrent requests | requests | errors | error rate | requests/s | rows/s | median latency (ms) | p95 latency (ms) |
|---|---|---|---|---|---|---|---|
${loadRows.join('\n')}

**Oracle throughput**: ${ORACLE_ROWS} rows queried in batches of ${ORACLE_BATCH} (as a recovery method does),
through each oracle on the same model.

| oracle | rows/s |
|---|---|
${oracleRows.join('\n')}
`,
  );
  process.stderr.write('bench:serve: wrote its section of docs/BENCHMARKS.md\n');
} finally {
  rmSync(dir, { recursive: true, force: true });
}

async function load(url: string, body: string, concurrency: number): Promise<string> {
  const latencies: number[] = [];
  let sent = 0;
  let errors = 0;
  const start = performance.now();
  const deadline = start + LOAD_MAX_SECONDS * 1000;
  const worker = async (): Promise<void> => {
    while (sent < LOAD_MAX_REQUESTS && performance.now() < deadline) {
      sent += 1;
      const t = performance.now();
      try {
        const r = await fetch(`${url}/infer`, {
          method: 'POST',
          body,
          headers: { 'content-type': 'application/json' },
        });
        await r.arrayBuffer();
        if (r.status !== 200) errors += 1;
      } catch {
        errors += 1;
      }
      latencies.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number): string =>
    latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))].toFixed(1);
  return `| ${concurrency} | ${sent} | ${errors} | ${((100 * errors) / sent).toFixed(1)} % | ${(sent / seconds).toFixed(0)} | ${((sent * LOAD_ROWS_PER_REQUEST) / seconds).toFixed(0)} | ${pct(0.5)} | ${pct(0.95)} |`;
}

async function rowsPerSecond(name: string, oracle: Oracle): Promise<string> {
  const rng = new Rng(3);
  const data = Float64Array.from({ length: ORACLE_BATCH * 784 }, () => rng.gaussian());
  const start = performance.now();
  for (let done = 0; done < ORACLE_ROWS; done += ORACLE_BATCH) {
    await oracle.query({ rows: ORACLE_BATCH, cols: 784, data });
  }
  const seconds = (performance.now() - start) / 1000;
  return `| ${name} | ${(ORACLE_ROWS / seconds).toFixed(0)} |`;
}

import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { tempDir } from '../helpers.js';
import { FIXTURES, jsonOf, MAIN, runCli } from './runCli.js';

/** Same queries and same exact float64 answers (JSON round-trips them): same basis. */
const SAME_BASIS_RAD = 1e-12;
/** Acceptance for float64 nets behind any protocol. */
const F64_MAX_ANGLE = 1e-7;

const dir = tempDir();
const children: ChildProcess[] = [];
after(() => children.forEach((c) => c.kill('SIGKILL')));

/** Start `spanrec serve …` on a free port; resolves to its model URL once it listens. */
async function startServe(
  args: string[],
): Promise<{ url: string; child: ChildProcess; stderr: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'serve', '--port', '0', ...args]);
  children.push(child);
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr?.on('data', () => {
      const m = /serving (http:\/\/\S+)/.exec(stderr);
      if (m) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
  });
  return { url, child, stderr: () => stderr };
}

test('recover from spanrec serve: same basis as ONNX, queries = rows the server served', async () => {
  const onnx = join(dir, 'net.onnx');
  const truth = join(dir, 'A.npy');
  const make = ['make-net', '--n', '30', '--k', '12', '--outputs', '2', '--out', onnx];
  assert.equal(runCli([...make, '--truth', truth]).code, 0);
  const { url, child, stderr } = await startServe(['--model', `onnx:${onnx}`, '--name', 'net']);
  const local = runCli([
    'recover',
    '--model',
    `onnx:${onnx}`,
    '--out',
    join(dir, 'local'),
    '--json',
  ]);
  const remote = runCli(['recover', '--model', url, '--out', join(dir, 'remote'), '--json']);
  assert.equal(remote.code, 0, remote.stderr);
  const stats = (await (await fetch(`${url}/stats`)).json()) as { inference_count: number };
  assert.equal(jsonOf(remote).queries, stats.inference_count);
  assert.equal(jsonOf(remote).queries, jsonOf(local).queries);
  const same = runCli([
    'compare',
    join(dir, 'local', 'basis.npy'),
    join(dir, 'remote', 'basis.npy'),
    '--json',
  ]);
  assert.ok((jsonOf(same).maxAngle as number) < SAME_BASIS_RAD);
  const exit = new Promise((resolve) => child.on('exit', resolve));
  child.kill('SIGTERM');
  assert.equal(await exit, 0);
  assert.match(stderr(), new RegExp(`served ${stats.inference_count} rows`));
});

test('serve validates requests: 400 with an error body, 413 over the size limit, 404', async () => {
  const onnx = join(dir, 'small.onnx');
  assert.equal(runCli(['make-net', '--n', '3', '--k', '2', '--out', onnx]).code, 0);
  const { url } = await startServe(['--model', `onnx:${onnx}`, '--max-body-bytes', '2048']);
  const infer = (body: string) =>
    fetch(`${url}/infer`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json' },
    });
  const tensor = (shape: unknown, data: unknown, datatype = 'FP64') =>
    JSON.stringify({ inputs: [{ name: 'x', shape, datatype, data }] });
  const cases: [string, RegExp][] = [
    ['{', /not JSON/],
    [tensor([1, 4], [1, 2, 3, 4]), /shape \[1, 4\]: expected \[B, 3\]/],
    [tensor([2, 3], [1, 2, 3]), /holds 3 values, expected 6/],
    [tensor([1, 3], [1, 'a', 3]), /entry 1 is not a number/],
    [tensor([1, 3], [1, 2, 3], 'BYTES'), /datatype 'BYTES'/],
    [tensor([1, 3], [1, 2, 0]).replace('0]', '1e999]'), /entry 2 is not a finite number/],
  ];
  for (const [body, pattern] of cases) {
    const r = await infer(body);
    assert.equal(r.status, 400, body);
    assert.match(((await r.json()) as { error: string }).error, pattern);
  }
  const ok = await infer(tensor([2, 3], [1, 2, 3, 4, 5, 6]));
  assert.equal(ok.status, 200);
  assert.equal((await infer(tensor([1, 3], [1, 2, 3 + 'x'.repeat(3000)]))).status, 413);
  assert.equal((await fetch(`${url.replace(/\/v2.*/, '')}/v2/other`)).status, 404);
  assert.equal((await fetch(`${url.replace(/\/v2.*/, '')}/v2/health/ready`)).status, 200);
});

test('serve --access label answers with the label only', async () => {
  const onnx = join(dir, 'three.onnx');
  assert.equal(
    runCli(['make-net', '--n', '4', '--k', '3', '--outputs', '3', '--out', onnx]).code,
    0,
  );
  const { url } = await startServe(['--model', `onnx:${onnx}`, '--access', 'label']);
  const r = await fetch(`${url}/infer`, {
    method: 'POST',
    body: JSON.stringify({
      inputs: [{ name: 'x', shape: [2, 4], datatype: 'FP64', data: [1, 2, 3, 4, -1, 0, 2, 1] }],
    }),
  });
  const out = ((await r.json()) as { outputs: { shape: number[]; data: number[] }[] }).outputs[0];
  assert.deepEqual(out.shape, [2, 1]);
  assert.ok(out.data.every((v) => [0, 1, 2].includes(v)));
});

test('recover from an unseen OIP server written in Python: angle < 1e-7, queries = its count', async () => {
  const made = spawnSync('python3', [
    join(FIXTURES, 'cmd', 'make_mlp.py'),
    '--n',
    '40',
    '--k',
    '15',
    '--outputs',
    '2',
    '--seed',
    '8',
    dir,
  ]);
  assert.equal(made.status, 0, made.stderr?.toString());
  const portFile = join(dir, 'port');
  const countFile = join(dir, 'py.count');
  const server = spawn('python3', [
    join(FIXTURES, 'oip', 'mlp_oip_server.py'),
    join(dir, 'weights.npz'),
    portFile,
    '--count-file',
    countFile,
  ]);
  children.push(server);
  const deadline = Date.now() + 20_000;
  while (!existsSync(portFile) || readFileSync(portFile, 'utf8') === '') {
    assert.ok(Date.now() < deadline, 'the Python server did not start');
    await new Promise((r) => setTimeout(r, 50));
  }
  const url = `http://127.0.0.1:${readFileSync(portFile, 'utf8')}/v2/models/mlp`;
  const r = runCli(['recover', '--model', url, '--out', join(dir, 'py'), '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(jsonOf(r).rank, 15);
  assert.equal(jsonOf(r).queries, Number(readFileSync(countFile, 'utf8')));
  const angle = runCli(['compare', join(dir, 'py', 'basis.npy'), join(dir, 'A.npy'), '--json']);
  assert.ok((jsonOf(angle).maxAngle as number) < F64_MAX_ANGLE);
});

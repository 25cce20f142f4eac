// The main job on a bundled default: make a random ReLU network (n=100, k=50), recover the row
// span of its first layer from queries alone, and compare it with the truth.
// Runs the built CLI exactly as a user would; every command is printed before it runs.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';

const dir = 'out/demo';
mkdirSync(dir, { recursive: true });
const cli = ['dist/cli/main.js'];

function spanrec(args) {
  process.stdout.write(`$ spanrec ${args.join(' ')}\n`);
  const r = spawnSync(process.execPath, [...cli, ...args], { stdio: 'inherit' });
  if (r.status !== 0) {
    process.stderr.write(`demo: spanrec ${args[0]} exited with ${r.status}\n`);
    process.exit(r.status ?? 1);
  }
}

spanrec([
  'make-net',
  '--n',
  '100',
  '--k',
  '50',
  '--widths',
  '64,64',
  '--act',
  'relu',
  '--dtype',
  'f64',
  '--seed',
  '1',
  '--out',
  `${dir}/net.onnx`,
  '--truth',
  `${dir}/A.npy`,
]);
spanrec(['recover', '--model', `onnx:${dir}/net.onnx`, '--out', dir, '--seed', '1']);
spanrec(['compare', `${dir}/basis.npy`, `${dir}/A.npy`]);

import { lstat, mkdir, open, unlink } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { UserError } from '../errors.js';
import { fsProblem, writeFileReplacing } from '../io/safeFiles.js';

/** Most missing folders `--out` may create (a sane path has a few; guards odd file systems). */
const MAX_NEW_FOLDERS = 64;

/**
 * Make `dir` ready to take a run's results before any query is spent, so a bad `--out` costs
 * nothing: create it (and missing parents), prove that a file can be created in it, and remove
 * the `staleOutputs` an earlier run left there, so a run that fails cannot be mistaken for it.
 * @throws UserError naming the path when it is not a writable folder.
 */
export async function prepareOutDir(dir: string, staleOutputs: readonly string[]): Promise<void> {
  if (dir.trim() === '') throw new UserError('--out needs a directory path');
  await makeFolders(dir);
  await proveWritable(dir);
  for (const name of staleOutputs) await removeFile(join(dir, name));
}

/** Write a text file of the results (never through a symlink), as a UserError on failure. */
export async function writeResultFile(path: string, text: string): Promise<void> {
  await writeFileReplacing(path, text);
}

/**
 * `mkdir -p` one folder at a time: Node's recursive mkdir loops forever on some paths under
 * `/proc`, and a non-folder in the way deserves its own message.
 */
async function makeFolders(dir: string): Promise<void> {
  const missing: string[] = [];
  for (let path = resolve(dir); ; path = dirname(path)) {
    // ENOTDIR: a parent is a file; mkdir below reports it.
    const info = await lstat(path).catch(() => null);
    if (info !== null || path === dirname(path)) break;
    missing.unshift(path);
    if (missing.length > MAX_NEW_FOLDERS) {
      throw new UserError(`--out ${dir}: more than ${MAX_NEW_FOLDERS} folders to create`);
    }
  }
  for (const path of missing) {
    await mkdir(path).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'EEXIST') return;
      const problem = e.code === 'ENOTDIR' ? 'a parent is not a folder' : fsProblem(e, 'write');
      throw new UserError(`--out ${dir}: cannot create the directory (${problem})`);
    });
  }
}

/** Create and remove a probe file: only that proves the results can be written later. */
async function proveWritable(dir: string): Promise<void> {
  const probe = join(dir, `.spanrec-write-probe-${process.pid}`);
  try {
    await (await open(probe, 'wx')).close();
    await unlink(probe);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const problem = code === 'ENOTDIR' ? 'not a folder' : fsProblem(e, 'write');
    throw new UserError(`--out ${dir}: cannot write results there (${problem})`);
  }
}

/** Remove a file (or a symlink, never its target); a missing one is fine. */
async function removeFile(path: string): Promise<void> {
  await unlink(path).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== 'ENOENT') {
      throw new UserError(
        `${path}: cannot remove the earlier run's file (${fsProblem(e, 'write')})`,
      );
    }
  });
}

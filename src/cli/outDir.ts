import { mkdir, writeFile } from 'node:fs/promises';
import { UserError } from '../errors.js';

/**
 * Create the output directory before any query is spent, so a bad `--out` costs nothing.
 * Filesystem failures become one-line UserErrors naming the path.
 */
export async function prepareOutDir(dir: string): Promise<void> {
  if (dir.trim() === '') throw new UserError('--out needs a directory path');
  try {
    await mkdir(dir, { recursive: true });
  } catch (e) {
    throw new UserError(`--out ${dir}: cannot create the directory (${errorCode(e)})`);
  }
}

/** Write a text file of the results, as a UserError on failure. */
export async function writeResultFile(path: string, text: string): Promise<void> {
  try {
    await writeFile(path, text);
  } catch (e) {
    throw new UserError(`${path}: cannot write (${errorCode(e)})`);
  }
}

function errorCode(e: unknown): string {
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' ? code : e instanceof Error ? e.message : String(e);
}

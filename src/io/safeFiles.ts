/**
 * File access that a hostile path cannot turn against us: reads refuse devices, FIFOs and
 * oversized files before reading a byte; writes never follow a symlink planted at the target
 * and never leave a half-written file under the final name.
 */
import { constants } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { UserError } from '../errors.js';

/** One-line reason for a failed file-system call, for messages that already name the path. */
export function fsProblem(e: unknown, verb: 'read' | 'write'): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return verb === 'read' ? 'no such file' : 'no such directory';
  if (code === 'EISDIR') return 'is a directory, not a file';
  if (code === 'EACCES' || code === 'EPERM') return `permission denied (cannot ${verb})`;
  if (code === 'EROFS') return `read-only file system (cannot ${verb})`;
  return `cannot ${verb} file (${code ?? String(e)})`;
}

/**
 * The whole content of the regular file at `path`, at most `maxBytes` long.
 * @throws UserError naming `path` when it is missing, unreadable, not a regular file (a device
 *   such as `/dev/zero` would be read without end, a FIFO would block) or larger than `maxBytes`.
 */
export async function readRegularFile(path: string, maxBytes: number): Promise<Buffer> {
  let handle;
  try {
    // Non-blocking, so that opening a FIFO with no writer returns at once instead of hanging.
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw new UserError(`${path}: ${fsProblem(e, 'read')}`);
  }
  try {
    const info = await handle.stat();
    if (info.isDirectory()) throw new UserError(`${path}: is a directory, not a file`);
    if (!info.isFile()) throw new UserError(`${path}: not a regular file`);
    if (info.size > maxBytes) {
      throw new UserError(`${path}: ${info.size} bytes, more than the ${maxBytes} allowed`);
    }
    const bytes = Buffer.alloc(info.size);
    const { bytesRead } = await handle.read(bytes, 0, info.size, 0);
    return bytes.subarray(0, bytesRead);
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`${path}: ${fsProblem(e, 'read')}`);
  } finally {
    await handle.close();
  }
}

/** Distinguishes the temporary files of one process's writes. */
let tempCounter = 0;

/**
 * Write `data` to `path` through a new temporary file beside it, then rename it over `path`:
 * a symlink planted at `path` is replaced, not followed, and a crash never leaves a truncated
 * file under the final name.
 * @throws UserError naming `path` when the directory cannot take the file.
 */
export async function writeFileReplacing(path: string, data: string | Uint8Array): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${tempCounter++}.tmp`);
  try {
    // 'wx' creates a new file and fails on anything already there, a symlink included.
    const handle = await open(temp, 'wx', 0o644);
    try {
      await handle.writeFile(data);
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (e) {
    await unlink(temp).catch(() => {});
    throw new UserError(`${path}: ${fsProblem(e, 'write')}`);
  }
}

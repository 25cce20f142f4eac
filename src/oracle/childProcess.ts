/**
 * A shell command run as a child process in its own process group: started so that one kill
 * reaches everything it starts, killed when Node exits, kept from holding Node alive while
 * idle, and with the tail of its stderr remembered for error messages.
 */
import { spawn, type ChildProcess } from 'node:child_process';

/** Every live group, killed when Node exits so that a forgotten `dispose()` leaks nothing. */
const liveChildren = new Set<ChildProcess>();
let exitHookInstalled = false;

/**
 * Start `command` through the shell, with piped stdio, in its own process group, and resolve
 * once it runs. Until {@link forgetGroup} (or its 'close' event), the group is SIGKILLed when
 * Node exits.
 * @param startError - makes the error to reject with when the shell cannot be started.
 */
export async function spawnGroup(
  command: string,
  startError: (err: Error) => Error,
): Promise<ChildProcess> {
  const child = spawn(command, {
    shell: true,
    stdio: ['pipe', 'pipe', 'pipe'],
    // Own process group, so that kill(-pid) reaches everything the shell started.
    detached: process.platform !== 'win32',
  });
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (err) => reject(startError(err)));
  });
  liveChildren.add(child);
  installExitHook();
  return child;
}

/**
 * Stop killing `child`'s group at exit: call once it has been reaped, since its group id may
 * then be reused by an unrelated process.
 */
export function forgetGroup(child: ChildProcess): void {
  liveChildren.delete(child);
}

/** SIGKILL a program's process group (the shell and everything it started). */
export function killGroup(child: ChildProcess): void {
  const pid = child.pid;
  if (pid === undefined) return;
  try {
    if (process.platform === 'win32') child.kill('SIGKILL');
    else process.kill(-pid, 'SIGKILL');
  } catch {
    // ESRCH: the group is already gone.
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // 'exit' handlers are synchronous and cannot wait; a SIGKILL per live group is all we can do.
  process.on('exit', () => {
    for (const child of liveChildren) killGroup(child);
  });
}

interface Refable {
  ref?: () => void;
  unref?: () => void;
}

/** Let `stream` (a child's stdio pipe, or null) keep Node's event loop alive again. */
export function refStream(stream: unknown): void {
  (stream as Refable | null)?.ref?.();
}

/** Stop `stream` (a child's stdio pipe, or null) from keeping Node's event loop alive. */
export function unrefStream(stream: unknown): void {
  (stream as Refable | null)?.unref?.();
}

/** Stderr lines kept for error messages (the tail of a traceback is what explains a crash). */
export const STDERR_KEEP_LINES = 20;
/** A partial stderr line longer than this is cut to its last STDERR_PARTIAL_KEEP_CHARS. */
const STDERR_PARTIAL_MAX_CHARS = 64 * 1024;
const STDERR_PARTIAL_KEEP_CHARS = 4096;

/** The last non-blank lines a program wrote to stderr, in bounded memory. */
export class StderrTail {
  private readonly tail: string[] = [];
  private partial = '';

  /** Take the next chunk of stderr text (lines may be split across chunks). */
  push(chunk: string): void {
    const lines = (this.partial + chunk).split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) if (line.trim() !== '') this.tail.push(line);
    if (this.tail.length > STDERR_KEEP_LINES) {
      this.tail.splice(0, this.tail.length - STDERR_KEEP_LINES);
    }
    // A program spewing stderr without newlines must not grow memory without bound.
    if (this.partial.length > STDERR_PARTIAL_MAX_CHARS) {
      this.partial = this.partial.slice(-STDERR_PARTIAL_KEEP_CHARS);
    }
  }

  /** The last lines (at most STDERR_KEEP_LINES), an unfinished last line included. */
  get lines(): readonly string[] {
    const partial = this.partial.trim() === '' ? [] : [this.partial];
    return [...this.tail, ...partial].slice(-STDERR_KEEP_LINES);
  }
}

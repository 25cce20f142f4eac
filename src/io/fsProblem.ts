/**
 * A file-system failure as the few words a one-line error message needs ("no such directory",
 * "permission denied (cannot write)"), from Node's error code.
 */
export function fsProblem(e: unknown, verb: 'read' | 'write'): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return verb === 'read' ? 'no such file' : 'no such directory';
  if (code === 'EISDIR') return 'is a directory, not a file';
  if (code === 'EACCES' || code === 'EPERM') return `permission denied (cannot ${verb})`;
  return `cannot ${verb} file (${code ?? String(e)})`;
}

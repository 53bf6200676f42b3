import { accessSync, constants, statSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Why this user cannot change `file` the way a purge does, or undefined: the file itself must be
 * writable where it is changed in place (SQLite), its directory where files are created beside
 * it (SQLite journals, a CSV file's replacement), and a replaced file must keep its owner, which
 * only root can give to a file of another user. Checked before anything is read, so that a dry
 * run refuses what the real run could not do.
 */
export function writeProblem(file: string, how: { inPlace: boolean; replaced: boolean }): string | undefined {
  const dir = dirname(file);
  const denied = (path: string) => {
    try {
      accessSync(path, constants.W_OK);
      return undefined;
    } catch (e) {
      return (e as NodeJS.ErrnoException).code ?? 'denied';
    }
  };
  const why = (code: string) => (code === 'EROFS' ? 'the file system is read-only' : 'permission denied');
  if (how.inPlace) {
    const f = denied(file);
    if (f) return `${file} cannot be written by this user (${why(f)}); a purge would fail`;
  }
  const d = denied(dir);
  if (d)
    return `directory ${dir} cannot be written by this user (${why(d)}), and a purge ${how.inPlace ? 'writes its journal' : 'writes the new file'} there; it would fail`;
  if (how.replaced && process.getuid && process.getuid() !== 0) {
    const owner = statSync(file).uid;
    if (owner !== process.getuid())
      return `${file} belongs to user ${owner}; a purge replaces it and only root can give the new file that owner, so it would fail; run as that user`;
  }
  return undefined;
}

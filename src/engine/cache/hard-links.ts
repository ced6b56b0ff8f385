// A stage's output file with other hard links is shared with something outside the staging dir: give the entry its own copy.
import fs from 'node:fs';
import path from 'node:path';

/**
 * Replaces `file` by a private copy when it has other hard links, so that making the entry read-only (and
 * later deleting it) cannot change a file elsewhere (`ln /elsewhere/victim.txt ${out}/v`). Copying rather
 * than refusing keeps `ln` a valid way to build an output (from an input, say); it costs the bytes once.
 * Returns true when a copy was made.
 */
export function ownCopy(file: string): boolean {
  const stat = fs.lstatSync(file);
  if (!stat.isFile() || stat.nlink <= 1) return false;
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.unlinking`);
  fs.copyFileSync(file, temporary);
  fs.chmodSync(temporary, stat.mode & 0o777);
  fs.renameSync(temporary, file);
  return true;
}

/** Gives every hard-linked regular file under `directory` its own copy; returns how many it copied. */
export function detachHardLinks(directory: string): number {
  let copied = 0;
  const visit = (current: string) => {
    for (const entry of fs.readdirSync(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) visit(full);
      else if (entry.isFile() && ownCopy(full)) copied += 1;
    }
  };
  visit(directory);
  return copied;
}

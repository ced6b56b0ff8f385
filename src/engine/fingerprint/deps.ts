// Expands a stage's deps (files, directories, globs) into the sorted list of files they name.
import fs from 'node:fs';
import path from 'node:path';
import { globSync } from 'tinyglobby';

export class MissingDep extends Error {
  constructor(readonly index: number, readonly pattern: string, detail: string) {
    super(`"${pattern}" ${detail}`);
  }
}

const globCharacters = /[*?[\]{}!]/;

function walk(directory: string, root: string, into: string[]): void {
  for (const entry of fs.readdirSync(directory, { withFileTypes: true })) {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) walk(full, root, into);
    else if (entry.isFile() || entry.isSymbolicLink()) into.push(path.relative(root, full));
  }
}

/** Expansion results per pattern, shared by all stages of one run (thirty sweeps name the same globs). */
export class DepResolver {
  private readonly cache = new Map<string, string[]>();

  constructor(private readonly root: string) {}

  private expand(pattern: string, index: number): string[] {
    const cached = this.cache.get(pattern);
    if (cached) return cached;
    let files: string[];
    if (globCharacters.test(pattern)) {
      files = globSync(pattern, { cwd: this.root, onlyFiles: true, dot: false, expandDirectories: false });
      if (files.length === 0) throw new MissingDep(index, pattern, 'matches no file');
    } else {
      const full = path.resolve(this.root, pattern);
      let stat: fs.Stats;
      try {
        stat = fs.statSync(full);
      } catch {
        throw new MissingDep(index, pattern, 'does not exist');
      }
      files = [];
      if (stat.isDirectory()) walk(full, this.root, files);
      else files.push(path.relative(this.root, full));
    }
    const normalized = files.map((file) => file.split(path.sep).join('/'));
    this.cache.set(pattern, normalized);
    return normalized;
  }

  /** Project-relative paths, sorted and without duplicates. */
  files(patterns: readonly string[]): string[] {
    const all = new Set<string>();
    patterns.forEach((pattern, index) => {
      for (const file of this.expand(pattern, index)) all.add(file);
    });
    return [...all].sort();
  }
}

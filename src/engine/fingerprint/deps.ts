// Expands a stage's deps (files, directories, globs) into the sorted list of files they name, all inside the project.
import fs from 'node:fs';
import path from 'node:path';
import { globSync } from 'tinyglobby';
import { ProjectPaths } from '../real-paths.js';

export class MissingDep extends Error {
  constructor(readonly index: number, readonly pattern: string, detail: string) {
    super(`"${pattern}" ${detail}`);
  }
}

/** A dep that leads outside the project through a symlink (the text of the path stays inside). */
export class DepEscapes extends MissingDep {}

const globCharacters = /[*?[\]{}!]/;

/** Expansion results per pattern, shared by all stages of one run (thirty sweeps name the same globs). */
export class DepResolver {
  private readonly cache = new Map<string, string[]>();
  private readonly paths: ProjectPaths;

  constructor(private readonly root: string) {
    this.paths = new ProjectPaths(root);
  }

  private inside(full: string, index: number, pattern: string): void {
    const real = this.paths.escape(full);
    if (real === undefined) return;
    const through = path.relative(this.root, full);
    const shown = through === pattern ? '' : ` (through ${through})`;
    throw new DepEscapes(index, pattern, `leads outside the project${shown}: it resolves to ${real}; deps must live inside ${this.paths.realRoot}`);
  }

  /** Files under `directory`; a symlink is followed only where it stays inside the project. */
  private walk(directory: string, into: string[], index: number, pattern: string, seen: Set<string>): void {
    for (const entry of fs.readdirSync(directory, { withFileTypes: true })) {
      const full = path.join(directory, entry.name);
      if (entry.isDirectory()) this.walk(full, into, index, pattern, seen);
      else if (entry.isFile()) into.push(path.relative(this.root, full));
      else if (entry.isSymbolicLink()) {
        this.inside(full, index, pattern);
        let stat: fs.Stats;
        try {
          stat = fs.statSync(full);
        } catch {
          throw new MissingDep(index, pattern, `holds a broken symlink: ${path.relative(this.root, full)}`);
        }
        if (stat.isFile()) into.push(path.relative(this.root, full));
        else if (stat.isDirectory()) {
          const real = fs.realpathSync(full);
          if (seen.has(real)) continue; // A link back up the tree.
          seen.add(real);
          this.walk(full, into, index, pattern, seen);
        }
      }
    }
  }

  private expand(pattern: string, index: number): string[] {
    const cached = this.cache.get(pattern);
    if (cached) return cached;
    let files: string[];
    if (globCharacters.test(pattern)) {
      files = globSync(pattern, { cwd: this.root, onlyFiles: true, dot: false, expandDirectories: false });
      if (files.length === 0) throw new MissingDep(index, pattern, 'matches no file');
      for (const file of files) this.inside(path.resolve(this.root, file), index, pattern);
    } else {
      const full = path.resolve(this.root, pattern);
      let stat: fs.Stats;
      try {
        stat = fs.statSync(full);
      } catch {
        throw new MissingDep(index, pattern, 'does not exist');
      }
      this.inside(full, index, pattern);
      files = [];
      if (stat.isDirectory()) this.walk(full, files, index, pattern, new Set([fs.realpathSync(full)]));
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

// Expands a stage's deps (files, directories, globs) and its program's imports into the sorted list of files they
// name, all inside the project.
import fs from 'node:fs';
import path from 'node:path';
import { globSync } from 'tinyglobby';
import { ProjectPaths } from '../real-paths.js';
import { ImportsUnfollowable } from './follow-imports.js';
import type { ProgramImports } from './program-imports.js';

/** `index` is the dep's place in the stage's deps, or 'program' for the stage's program. */
export class MissingDep extends Error {
  constructor(
    readonly index: number | 'program',
    readonly pattern: string,
    detail: string,
    options: { cause?: unknown } = {},
  ) {
    super(`${index === 'program' ? 'program' : 'dep'} "${pattern}" ${detail}`, options);
  }

  /** Where it was written, below the stage's body in pipeline.yaml. */
  get at(): (string | number)[] {
    return this.index === 'program' ? ['program'] : ['deps', this.index];
  }
}

/** A dep that leads outside the project through a symlink (the text of the path stays inside). */
export class DepEscapes extends MissingDep {}

/** A program whose imports cannot be followed (a syntax error, an import of a missing file). */
export class ProgramUnfollowable extends MissingDep {}

const globCharacters = /[*?[\]{}!]/;

/** Expansion results per pattern, shared by all stages of one run (thirty sweeps name the same globs). */
export class DepResolver {
  private readonly cache = new Map<string, string[]>();
  private readonly paths: ProjectPaths;

  constructor(
    private readonly root: string,
    private readonly imports?: ProgramImports,
  ) {
    this.paths = new ProjectPaths(root);
  }

  private inside(full: string, index: number | 'program', pattern: string): void {
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

  /** The program's entry and every project file it imports, once per run for all stages that run it. */
  private programFiles(program: string): string[] {
    const cached = this.cache.get(`program:${program}`);
    if (cached) return cached;
    const full = path.resolve(this.root, program);
    if (!fs.existsSync(full) || !fs.statSync(full).isFile()) throw new MissingDep('program', program, 'does not exist');
    this.inside(full, 'program', program);
    if (!this.imports) throw new Error('DepResolver: a stage has a program but no ProgramImports was given');
    let files: string[];
    try {
      files = this.imports.files(path.relative(this.root, full).split(path.sep).join('/'));
    } catch (error) {
      if (!(error instanceof ImportsUnfollowable)) throw error;
      throw new ProgramUnfollowable('program', program, `has imports that cannot be followed: ${error.message}`, { cause: error });
    }
    for (const file of files) this.inside(path.resolve(this.root, file), 'program', program);
    this.cache.set(`program:${program}`, files);
    return files;
  }

  /** Project-relative paths, sorted and without duplicates: the deps, and the program's imports when it has one. */
  files(patterns: readonly string[], program?: string): string[] {
    const all = new Set<string>();
    if (program !== undefined) for (const file of this.programFiles(program)) all.add(file);
    patterns.forEach((pattern, index) => {
      for (const file of this.expand(pattern, index)) all.add(file);
    });
    return [...all].sort();
  }
}

// Whether a path is inside the project once symlinks are followed: text checks alone let a link lead anywhere.
import fs from 'node:fs';
import path from 'node:path';

/** realpath of `file`, or of its nearest existing ancestor with the rest appended (for paths not made yet). */
export function realPathOf(file: string): string {
  const absolute = path.resolve(file);
  const rest: string[] = [];
  for (let current = absolute; ; current = path.dirname(current)) {
    try {
      return path.join(fs.realpathSync.native(current), ...rest.reverse());
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || path.dirname(current) === current) throw error;
      rest.push(path.basename(current));
    }
  }
}

export function within(realRoot: string, realPath: string): boolean {
  const relative = path.relative(realRoot, realPath);
  return relative === '' || (!relative.startsWith(`..${path.sep}`) && relative !== '..' && !path.isAbsolute(relative));
}

/** Resolves real paths against one project root, remembering the root's own real path. */
export class ProjectPaths {
  readonly realRoot: string;

  constructor(readonly root: string) {
    this.realRoot = fs.realpathSync.native(root);
  }

  /** Where `file` really is when it leads outside the project; undefined when it stays inside. */
  escape(file: string): string | undefined {
    const real = realPathOf(path.resolve(this.root, file));
    return within(this.realRoot, real) ? undefined : real;
  }
}

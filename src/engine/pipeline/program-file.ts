// Which files a stage's `program:` may name: those whose imports can be followed.
import path from 'node:path';

export const programExtensions = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'];

export function isProgramFile(file: string): boolean {
  return programExtensions.includes(path.extname(file));
}

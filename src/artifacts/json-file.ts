// JSON artifacts: written with two-space indents and a final newline; read back with errors that name the file.
import { readFile } from 'node:fs/promises';
import { ArtifactError } from './errors.js';
import { writeFileAtomic } from './write-atomic.js';

/** The exact bytes every JSON artifact has been written with (the lock hashes them). */
export function formatJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

export async function writeJsonFile(path: string, value: unknown): Promise<void> {
  await writeFileAtomic(path, formatJson(value));
}

/** How a read failure is described: what the file is ("the dataset manifest") and what to do about it. */
export interface ReadContext {
  what?: string;
  hint?: string;
}

/** Reads a file as text; a missing or unreadable file is a `missing-input` naming it. */
export async function readTextFile(path: string, context: ReadContext = {}): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'file not found' : (cause as Error).message;
    const what = context.what ? `cannot read ${context.what}: ` : '';
    const hint = context.hint ? ` (${context.hint})` : '';
    throw new ArtifactError('missing-input', path, `${path}: ${what}${why}${hint}`, { cause });
  }
}

/** Reads and parses a JSON file; the value still has to be validated by the caller. */
export async function readJsonFile(path: string, context: ReadContext = {}): Promise<unknown> {
  const text = await readTextFile(path, context);
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new ArtifactError('corrupt-input', path, `${path}: not JSON (${(cause as Error).message})`, { cause });
  }
}

// Reads a stage's declared metrics files and flattens their numbers into `file:key.path → value` for the lock.
import fs from 'node:fs';
import path from 'node:path';

export class MetricsError extends Error {}

export function readMetrics(outDir: string, files: readonly string[]): Record<string, number> {
  const metrics: Record<string, number> = {};
  for (const file of files) {
    const full = path.join(outDir, file);
    let value: unknown;
    try {
      value = JSON.parse(fs.readFileSync(full, 'utf8'));
    } catch (cause) {
      const why = (cause as NodeJS.ErrnoException).code === 'ENOENT' ? 'was not written' : `is not valid JSON (${(cause as Error).message})`;
      throw new MetricsError(`declared metrics file ${file} ${why}`, { cause });
    }
    const prefix = files.length > 1 ? `${file}:` : '';
    const visit = (node: unknown, at: string) => {
      if (typeof node === 'number' && Number.isFinite(node)) metrics[`${prefix}${at}`] = node;
      else if (node !== null && typeof node === 'object') {
        for (const [key, child] of Object.entries(node)) visit(child, at === '' ? key : `${at}.${key}`);
      }
    };
    visit(value, '');
  }
  return metrics;
}

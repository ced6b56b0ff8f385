// Reads the aggregate stage's CSV tables (with vega's CSV parser) and writes the figures' CSVs.
import { read } from 'vega';
import { ReportError } from './errors.js';

export type CsvValue = string | number;

/** Parses `text` (from `file`) and checks that the named columns exist and hold finite numbers. */
export function parseCsv<N extends string, S extends string>(
  text: string,
  file: string,
  columns: { numeric: readonly N[]; text: readonly S[] },
): Array<Record<N, number> & Record<S, string>> {
  let raw: Array<Record<string, string>>;
  try {
    raw = read(text, { type: 'csv', parse: {} }) as Array<Record<string, string>>;
  } catch (cause) {
    throw new ReportError('corrupt-input', `${file}: not a CSV table (${(cause as Error).message})`, { cause });
  }
  const header = text.slice(0, text.indexOf('\n') === -1 ? undefined : text.indexOf('\n')).trim().split(',');
  for (const column of [...columns.text, ...columns.numeric]) {
    if (!header.includes(column)) {
      throw new ReportError('corrupt-input', `${file}: missing column "${column}" (header: ${header.join(',')})`);
    }
  }
  return raw.map((record, index) => {
    const line = index + 2; // one-based, after the header row
    const row: Record<string, CsvValue> = {};
    for (const column of columns.text) row[column] = record[column] ?? '';
    for (const column of columns.numeric) {
      const cell = record[column];
      const value = cell === undefined || cell.trim() === '' ? Number.NaN : Number(cell);
      if (!Number.isFinite(value)) {
        throw new ReportError('corrupt-input', `${file} line ${line}: column "${column}" is not a number ("${cell ?? ''}")`);
      }
      row[column] = value;
    }
    return row as Record<N, number> & Record<S, string>;
  });
}

function formatCell(value: CsvValue): string {
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Formats rows as CSV with a header row, `,` separators and `\n` line ends (docs/outputs.md). */
export function formatCsv(columns: readonly string[], rows: ReadonlyArray<Record<string, CsvValue>>): string {
  const lines = [columns.map(formatCell).join(',')];
  for (const row of rows) lines.push(columns.map((column) => formatCell(row[column] ?? '')).join(','));
  return `${lines.join('\n')}\n`;
}

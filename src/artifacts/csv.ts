// CSV tables: the one writer of every CSV artifact and the one reader (header row, `,` separators, `\n` line ends).
import { ArtifactError } from './errors.js';

export type CsvValue = string | number;

function formatCell(value: CsvValue): string {
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Rows as CSV with a header row; a cell holding `"`, `,` or a line end is quoted. Numbers are written as String(n). */
export function formatCsv(columns: readonly string[], rows: ReadonlyArray<object>): string {
  const lines = [columns.map(formatCell).join(',')];
  for (const row of rows) lines.push(columns.map((column) => formatCell((row as Record<string, CsvValue | undefined>)[column] ?? '')).join(','));
  return `${lines.join('\n')}\n`;
}

const QUOTE = 34;
const NEWLINE = 10;
const RETURN = 13;
const COMMA = 44;

/** Splits CSV text into rows of cells, exactly as d3-dsv (vega's reader) does: one trailing line end ignored, `""` unescaped. */
export function csvRows(text: string): string[][] {
  const rows: string[][] = [];
  let end = text.length;
  if (text.charCodeAt(end - 1) === NEWLINE) end--;
  if (text.charCodeAt(end - 1) === RETURN) end--;
  let at = 0;
  let eof = end <= 0;
  let eol = false;
  const EOL = {};
  const EOF = {};
  const token = (): string | object => {
    if (eof) return EOF;
    if (eol) return ((eol = false), EOL);
    const start = at;
    if (text.charCodeAt(start) === QUOTE) {
      while ((at++ < end && text.charCodeAt(at) !== QUOTE) || text.charCodeAt(++at) === QUOTE);
      const close = at;
      if (close >= end) eof = true;
      else {
        const c = text.charCodeAt(at++);
        if (c === NEWLINE) eol = true;
        else if (c === RETURN) {
          eol = true;
          if (text.charCodeAt(at) === NEWLINE) at++;
        }
      }
      return text.slice(start + 1, close - 1).replace(/""/g, '"');
    }
    while (at < end) {
      const i = at++;
      const c = text.charCodeAt(i);
      if (c === NEWLINE) eol = true;
      else if (c === RETURN) {
        eol = true;
        if (text.charCodeAt(at) === NEWLINE) at++;
      } else if (c !== COMMA) continue;
      return text.slice(start, i);
    }
    eof = true;
    return text.slice(start, end);
  };
  for (let t = token(); t !== EOF; t = token()) {
    const row: string[] = [];
    while (t !== EOL && t !== EOF) (row.push(t as string), (t = token()));
    rows.push(row);
  }
  return rows;
}

/** Parses `text` (from `file`) and checks that the named columns exist and hold finite numbers. */
export function parseCsv<N extends string, S extends string>(text: string, file: string, columns: { numeric: readonly N[]; text: readonly S[] }): Array<Record<N, number> & Record<S, string>> {
  const [names = [], ...records] = csvRows(text);
  const header = text
    .slice(0, text.indexOf('\n') === -1 ? undefined : text.indexOf('\n'))
    .trim()
    .split(',');
  for (const column of [...columns.text, ...columns.numeric]) {
    if (!header.includes(column)) {
      throw new ArtifactError('corrupt-input', file, `${file}: missing column "${column}" (header: ${header.join(',')})`);
    }
  }
  const cellOf = (record: string[], column: string): string => record[names.lastIndexOf(column)] || '';
  return records.map((record, index) => {
    const line = index + 2; // one-based, after the header row
    const row: Record<string, CsvValue> = {};
    for (const column of columns.text) row[column] = cellOf(record, column);
    for (const column of columns.numeric) {
      const cell = cellOf(record, column);
      const value = cell.trim() === '' ? Number.NaN : Number(cell);
      if (!Number.isFinite(value)) {
        throw new ArtifactError('corrupt-input', file, `${file} line ${line}: column "${column}" is not a number ("${cell}")`);
      }
      row[column] = value;
    }
    return row as Record<N, number> & Record<S, string>;
  });
}

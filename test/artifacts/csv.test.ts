// The CSV writer and reader: quoting that round-trips, the same cells as vega's reader, errors that name file, line and column.
import { read } from 'vega';
import { describe, expect, it } from 'vitest';
import { csvRows, formatCsv, parseCsv } from '../../src/artifacts/csv.js';
import { ArtifactError } from '../../src/artifacts/errors.js';

describe('formatCsv', () => {
  it('writes a header row, String(number) cells and \\n line ends', () => {
    expect(
      formatCsv(
        ['x', 'loss'],
        [
          { x: 0, loss: 2.5 },
          { x: 1 / 3, loss: 0.1 + 0.2 },
        ],
      ),
    ).toBe('x,loss\n0,2.5\n0.3333333333333333,0.30000000000000004\n');
  });

  it('quotes cells that need it, so the written CSV reads back the same', () => {
    const rows = [
      { setting: 'a,"b"', value: 1.5 },
      { setting: 'plain', value: -2 },
    ];
    const text = formatCsv(['setting', 'value'], rows);
    expect(text).toBe('setting,value\n"a,""b""",1.5\nplain,-2\n');
    expect(parseCsv(text, 'round-trip', { numeric: ['value'], text: ['setting'] })).toEqual(rows);
  });
});

describe('csvRows', () => {
  it('splits cells exactly as vega (d3-dsv) does, odd inputs included', () => {
    const inputs = ['a,b\n1,2\n', 'a,b\r\n1,2\r\n3,4', 'a,b\n"x,y","he said ""hi"""\n', 'a,b\n\n1\n', 'a,b\n"multi\nline",2\n', 'a,b,a\n1,2,3\n', 'a\n', ''];
    for (const text of inputs) {
      const [columns = [], ...rows] = csvRows(text);
      const asObjects = rows.map((row) => Object.fromEntries(columns.map((c, i) => [c, row[i] || ''])));
      expect(asObjects, JSON.stringify(text)).toEqual(JSON.parse(JSON.stringify(read(text, { type: 'csv', parse: {} }))));
    }
  });
});

describe('parseCsv', () => {
  it('reports a missing column with the header it found', () => {
    expect(() => parseCsv('a,b\n1,2\n', 'f.csv', { numeric: ['a', 'c'], text: [] })).toThrow('f.csv: missing column "c" (header: a,b)');
  });

  it('names the file, line and column of a cell that is not a number, as a corrupt-input', () => {
    let error: unknown;
    try {
      parseCsv('a,b\n1,2\n3,oops\n', 'f.csv', { numeric: ['a', 'b'], text: [] });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ArtifactError);
    expect((error as ArtifactError).reason).toBe('corrupt-input');
    expect((error as ArtifactError).file).toBe('f.csv');
    expect((error as Error).message).toBe('f.csv line 3: column "b" is not a number ("oops")');
  });

  it('treats an empty cell as not a number', () => {
    expect(() => parseCsv('a,b\n1,\n', 'f.csv', { numeric: ['b'], text: [] })).toThrow('f.csv line 2: column "b" is not a number ("")');
  });
});

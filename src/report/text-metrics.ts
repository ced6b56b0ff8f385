// Makes vega measure label widths with the shipped font (fontkit) instead of its no-canvas guess of 0.8 em per character,
// which overestimates DejaVu Sans by about half and leaves figures padded with empty space.
import * as fontkit from 'fontkit';
import * as vega from 'vega';
import { fontFiles } from './fonts.js';

interface TextItem {
  text?: unknown;
  fontSize?: number | string;
  fontWeight?: number | string;
  limit?: number;
}

// vega re-exports vega-scenegraph's textMetrics at run time; vega-typings does not declare it.
interface TextMetrics {
  width: (item: TextItem, text?: unknown) => number;
  height: (item: TextItem) => number;
}

type Measure = (text: string, fontSize: number) => number;

function measurer(file: string): Measure {
  const font = fontkit.openSync(file);
  if (!('layout' in font)) throw new Error(`${file} is a font collection, expected one font`);
  const widths = new Map<string, number>();
  return (text, fontSize) => {
    let unitsWide = widths.get(text);
    if (unitsWide === undefined) {
      unitsWide = font.layout(text).advanceWidth;
      widths.set(text, unitsWide);
    }
    return (unitsWide * fontSize) / font.unitsPerEm;
  };
}

let installed = false;

/** Installs the shipped-font measurer into vega once per process. */
export function useShippedFontMetrics(): void {
  if (installed) return;
  const [regularFile, boldFile] = fontFiles();
  const regular = measurer(regularFile!);
  const bold = measurer(boldFile!);
  const metrics = (vega as unknown as { textMetrics: TextMetrics }).textMetrics;
  metrics.width = (item, text) => {
    const value = text === undefined || text === null ? '' : String(text).trim();
    const size = item.fontSize === undefined ? 11 : Number(item.fontSize) || 0;
    const weight = item.fontWeight;
    const isBold = weight === 'bold' || weight === 'bolder' || Number(weight) >= 600;
    return value === '' || size <= 0 ? 0 : (isBold ? bold : regular)(value, size);
  };
  installed = true;
}

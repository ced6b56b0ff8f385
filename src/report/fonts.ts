// Locates the font files shipped in assets/fonts (DejaVu Sans), which every figure's text is drawn with.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ReportError } from './errors.js';

const FILES = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'];

// From src/report (run by tsx) the assets are two levels up; from dist/src/report (compiled), three.
const CANDIDATES = ['../../assets/fonts/', '../../../assets/fonts/'].map((relative) => fileURLToPath(new URL(relative, import.meta.url)));

export function fontFiles(): string[] {
  const directory = CANDIDATES.find((candidate) => existsSync(`${candidate}${FILES[0]}`));
  if (!directory) {
    throw new ReportError('missing-input', `font ${FILES[0]} not found in ${CANDIDATES.join(' or ')}`);
  }
  return FILES.map((file) => `${directory}${file}`);
}

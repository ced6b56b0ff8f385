// Turns a Vega-Lite spec into SVG (vega, headless, no canvas) and SVG into PNG (resvg, with the shipped font only).
import { Resvg, type RenderedImage } from '@resvg/resvg-js';
import { View, parse } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { ReportError } from './errors.js';
import { fontFiles } from './fonts.js';
import { FONT_FAMILY } from './figures/theme.js';
import { useShippedFontMetrics } from './text-metrics.js';

export async function specToSvg(spec: TopLevelSpec, name: string): Promise<string> {
  useShippedFontMetrics();
  try {
    const compiled = compile(spec).spec;
    const view = new View(parse(compiled), { renderer: 'none' });
    const svg = await view.toSVG();
    view.finalize();
    return svg;
  } catch (cause) {
    throw new ReportError('render-failed', `${name}: cannot render the figure (${(cause as Error).message})`, { cause });
  }
}

/** Draws the SVG with the shipped font only (no system fonts), so the result is the same on every machine. */
export function rasterize(svg: string, scale: number): RenderedImage {
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    font: { fontFiles: fontFiles(), loadSystemFonts: false, defaultFontFamily: FONT_FAMILY },
  });
  return resvg.render();
}

export function svgToPng(svg: string, scale: number, name: string): Buffer {
  try {
    return rasterize(svg, scale).asPng();
  } catch (cause) {
    throw new ReportError('render-failed', `${name}: cannot convert the SVG to PNG (${(cause as Error).message})`, { cause });
  }
}

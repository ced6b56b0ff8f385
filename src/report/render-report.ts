// Renders the whole report: the three figures (SVG, PNG, CSV) and index.html, into an output directory.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { settingOrder, type AggregateData } from '../artifacts/aggregate-output.js';
import type { InstabilityDocument } from '../artifacts/instability.js';
import { formatCsv } from '../artifacts/csv.js';
import { writeFileAtomic } from '../artifacts/write-atomic.js';
import { checkClaims } from './claims.js';
import { ReportError } from './errors.js';
import { figure1Finding, figure2Finding, figure3Finding } from './findings.js';
import type { FigureSource } from './figures/figure-data.js';
import { bandNote, meanOnlyNote } from './figures/bands.js';
import { figure1 } from './figures/figure1.js';
import { figure2 } from './figures/figure2.js';
import { figure3 } from './figures/figure3.js';
import { PLANE_CAPTION, PLANE_FIGURE, planeFigure, planeFinding } from './figures/plane-figure.js';
import type { PlaneRecord } from '../artifacts/plane-output.js';
import { INSTABILITY_FIGURE, instabilityFigure } from './figures/instability.js';
import { INSTABILITY_CAPTION, instabilityFinding } from './instability-section.js';
import type { RenderParams } from './params.js';
import type { ProvenanceRow } from './provenance.js';
import { specToSvg, svgToPng } from './render-figure.js';
import { reportHtml, type ReportFigure } from './report-html.js';

export interface RenderInput {
  data: AggregateData;
  params: RenderParams;
  provenance: ProvenanceRow[] | null;
  outDir: string;
  /** The plane stages' outputs, when the pipeline evaluates loss planes: one more figure. */
  planes?: PlaneRecord[];
  /** The instability stage's output, when the pipeline ran the analysis: a figure with the others and its own section. */
  instability?: InstabilityDocument | null;
}

const CAPTIONS: Record<string, string> = {
  figure1: 'Test loss (left) and test error (right) along the line from initialization to the final weights, one line per setting.',
  figure2: 'Test loss (left) and error (right) along the line from the checkpoint at iteration t to the final weights, one panel pair per setting, coloured by t.',
  figure3: 'Largest increase of test loss (top) and error (bottom) above the start of the path from θ_t, against t (symlog axis), one line per setting.',
  [PLANE_FIGURE]: PLANE_CAPTION,
  [INSTABILITY_FIGURE]: INSTABILITY_CAPTION,
};

/** The figure's caption, with how its lines and bands summarise the seeds when some setting ran more than one. */
function caption(name: string, data: AggregateData): string {
  const base = CAPTIONS[name]!;
  const note = name === 'figure1' || name === 'figure3' ? bandNote(data) : name === 'figure2' ? meanOnlyNote(data) : null;
  if (note === null) return base;
  return `${base} ${note.charAt(0).toUpperCase()}${note.slice(1)}.`;
}

function svgSize(svg: string, name: string): { width: number; height: number } {
  const match = /<svg[^>]*\bwidth="([\d.]+)"[^>]*\bheight="([\d.]+)"/.exec(svg);
  if (!match) throw new ReportError('render-failed', `${name}: the SVG has no width/height`);
  return { width: Math.round(Number(match[1])), height: Math.round(Number(match[2])) };
}

/** Writes figureN.svg|png|csv and index.html into `outDir`; returns the names of the files written. */
export async function renderReport({ data, params, provenance, outDir, instability, planes }: RenderInput): Promise<string[]> {
  await mkdir(outDir, { recursive: true });
  const sources: FigureSource[] = [figure1(data, params), figure2(data, params), figure3(data, params)];
  if (instability && Object.keys(instability.settings).length === 0) instability = undefined; // the analysis was switched off
  if (instability) sources.push(instabilityFigure(instability, params, settingOrder(data)));
  if (planes && planes.length > 0) sources.push(planeFigure(planes));
  const findings: Record<string, string> = {
    figure1: figure1Finding(data, params),
    figure2: figure2Finding(data, params),
    figure3: figure3Finding(data, params),
    ...(planes && planes.length > 0 ? { [PLANE_FIGURE]: planeFinding(planes) } : {}),
    ...(instability ? { [INSTABILITY_FIGURE]: instabilityFinding(instability) } : {}),
  };
  const written: string[] = [];
  const figures: ReportFigure[] = [];
  for (const source of sources) {
    const svg = await specToSvg(source.spec, source.name);
    await writeFileAtomic(join(outDir, `${source.name}.svg`), svg);
    await writeFileAtomic(join(outDir, `${source.name}.png`), svgToPng(svg, params.png_scale, source.name));
    await writeFileAtomic(join(outDir, `${source.name}.csv`), formatCsv(source.columns, source.rows));
    written.push(`${source.name}.svg`, `${source.name}.png`, `${source.name}.csv`);
    figures.push({ name: source.name, caption: caption(source.name, data), finding: findings[source.name]!, ...svgSize(svg, source.name) });
  }
  // index.html last: it only appears once everything it points at exists.
  await writeFileAtomic(join(outDir, 'index.html'), reportHtml({ data, figures, provenance, claims: checkClaims(data, params), instability: instability ?? undefined }));
  written.push('index.html');
  return written;
}

// Turns the no-op measurements into a terminal table and the "Engine no-op" section of docs/benchmarks.md, each target marked met or missed.
import fs from 'node:fs';
import path from 'node:path';
import { median } from './timing.mjs';

const HEADING = '## Engine no-op';
/** Everything after this marker inside the section (hand-written notes) survives a rewrite. */
const END_MARKER = '<!-- bench/noop: end of generated results; notes below are kept -->';

const s = (seconds) => `${seconds.toFixed(3)} s`;
const mb = (bytes) => (bytes == null ? 'n/a' : `${(bytes / 1e6).toFixed(0)} MB`);
const verdict = (ok) => (ok ? 'met' : 'MISSED');

/** Ratios of round medians, round by round: both commands ran minutes apart at most, so a change in machine load cancels out. */
function pairedRatio(numerator, denominator) {
  const ratios = numerator.roundMedians.map((value, round) => value / denominator.roundMedians[round]);
  return { median: median(ratios), low: Math.min(...ratios), high: Math.max(...ratios) };
}

function checks({ results, cold, noopProbe, bigBytes }) {
  const by = Object.fromEntries(results.filter((r) => r.key).map((r) => [r.key, r]));
  const list = [{ what: 'no-op `pipeline run`, median', value: s(by.engine.median), target: '≤ 0.150 s', ok: by.engine.median <= 0.15 }];
  if (by.snakemake) {
    const ratio = pairedRatio(by.engine, by.snakemake);
    list.push({
      what: 'engine / Snakemake no-op (median of per-round ratios)',
      value: `${ratio.median.toFixed(2)} (rounds ${ratio.low.toFixed(2)}–${ratio.high.toFixed(2)})`,
      target: '≤ 0.25',
      ok: ratio.median <= 0.25,
    });
  } else {
    list.push({ what: 'engine / Snakemake no-op', value: 'not measured: snakemake is not installed (apt-get install -y snakemake)', target: '≤ 0.25', ok: undefined });
  }
  if (by.big) {
    const ratio = pairedRatio(by.big, by.engine);
    const percent = (r) => `${r >= 1 ? '+' : ''}${((r - 1) * 100).toFixed(1)} %`;
    list.push({
      what: 'no-op with a 1 GiB dep vs without (median of per-round ratios)',
      value: `${percent(ratio.median)} (rounds ${percent(ratio.low)} to ${percent(ratio.high)})`,
      target: '≤ +10 %',
      ok: ratio.median <= 1.1,
    });
    list.push({
      what: 'bytes the runner read in a no-op with the 1 GiB dep',
      value: mb(noopProbe.big.bytesRead),
      target: `≪ ${mb(bigBytes)}`,
      ok: noopProbe.big.bytesRead == null ? undefined : noopProbe.big.bytesRead < bigBytes / 10,
    });
    list.push({
      what: 'peak RSS of the runner, cold run hashing the 1 GiB dep',
      value: `${mb(cold.big.maxRssBytes)} (read ${mb(cold.big.bytesRead)}, ${s(cold.big.seconds)})`,
      target: '< 200 MB',
      ok: cold.big.maxRssBytes < 200e6,
    });
  }
  list.push({ what: 'peak RSS of the runner, cold run without it', value: `${mb(cold.plain.maxRssBytes)} (${s(cold.plain.seconds)})`, target: '(reference)', ok: undefined });
  return list;
}

function timingRows(results) {
  return results.map((r) => [r.label, s(r.median), s(r.min), s(r.max), r.roundMedians.map((m) => m.toFixed(3)).join(' / ')]);
}

function markdownTable(header, rows) {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');
}

function textTable(header, rows) {
  const widths = header.map((_, i) => Math.max(...[header, ...rows].map((row) => String(row[i]).length)));
  return [header, ...rows]
    .map((row) =>
      row
        .map((cell, i) => String(cell).padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function formatReport(data) {
  const { env, options, results, stageCount } = data;
  const timingHeader = ['command', 'median', 'min', 'max', 'median of each round'];
  const checkHeader = ['check', 'measured', 'target', 'verdict'];
  const checkRows = checks(data).map((c) => [c.what, c.value, c.target, c.ok === undefined ? '–' : verdict(c.ok)]);
  const argv = process.argv.slice(2).join(' ');
  const command = `node bench/noop/run.mjs${argv ? ` ${argv}` : ''}`;
  const runs = `${options.rounds} rounds × ${options.runs} runs (after ${options.warmup} warm-up runs each round)`;
  const machine = `${env.cpus}, Node ${env.node}, load average ${env.load} before and ${env.loadAfter} after (1/5/15 min), commit ${env.commit}${env.engineDirty ? ' with uncommitted engine changes' : ''}, ${env.date}`;

  const table = [`${stageCount}-stage no-op, ${runs}; timer: ${env.timer}`, machine, '', textTable(timingHeader, timingRows(results)), '', textTable(checkHeader, checkRows)].join('\n');

  const section = [
    HEADING,
    '',
    `Produced by \`${command}\` from the repository root (after \`npm run build\`; it uses Debian's \`hyperfine\` and \`snakemake\` when installed, and installs nothing).`,
    '',
    `It generates, in a temporary directory, a ${stageCount}-stage pipeline of trivial shell stages shaped like the real one — fetch → 2 trainings → 13 sweeps each (nested \`foreach\`) → aggregate → render — laid out like the repository's pipeline.yaml: the same params, \`needs\`, \`resources: { gpu: 1 }\` on trainings and sweeps, and each stage's \`program:\` (its entry file, which imports the library files it runs; \`deps\` for the fonts and the lock file it reads without importing), over a fake source tree of valid TypeScript with the real file counts (47 files for a sweep). An equivalent Snakefile (${stageCount} jobs, the same files as inputs, the same params) is generated beside it. The script runs both cold, then times \`node bin/pipeline.js -f DIR/pipeline.yaml run --jobs 2\` against \`snakemake --cores 2\` with everything fresh. A copy of the project with a 1 GiB file added to the fetch stage's deps gives the no-op time with a big dependency and the peak memory of the cold run that hashes it (the runner's \`process.resourceUsage().maxRSS\`, and \`rchar\` from /proc for the bytes it read). The 1 GiB file is deleted at the end.`,
    '',
    `Machine: ${machine}. ${runs}; timer: ${env.timer}. The machine may be shared (it was, with other engineers' test runs): the median of each round shows the noise, and the ratios compare the commands round by round.`,
    '',
    markdownTable(timingHeader, timingRows(results)),
    '',
    markdownTable(checkHeader, checkRows),
    '',
    END_MARKER,
  ].join('\n');
  return { table, section };
}

/** Replaces the section (up to the marker, or the next `## ` heading) and keeps every other section of the file. */
export function writeDocsSection(file, section) {
  const existing = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Benchmarks\n';
  const start = existing.indexOf(`${HEADING}\n`);
  let updated;
  if (start === -1) {
    updated = `${existing.trimEnd()}\n\n${section}\n`;
  } else {
    const marker = existing.indexOf(END_MARKER, start);
    const nextHeading = existing.slice(start + HEADING.length).search(/^## /m);
    const end = marker !== -1 ? marker + END_MARKER.length : nextHeading === -1 ? existing.length : start + HEADING.length + nextHeading;
    const rest = existing.slice(end);
    updated = existing.slice(0, start) + section + (!rest.trim() ? '\n' : rest.startsWith('\n') ? rest : `\n\n${rest}`);
  }
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(temp, updated);
  fs.renameSync(temp, file);
}

// Where the no-op `pipeline run` spends its time: import cost of each package the engine uses, and a CPU profile of the run grouped by package and engine function.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { STAGE_COUNT, generateProject } from './generate.mjs';
import { runEngine } from './project.mjs';
import { median } from './timing.mjs';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** The third-party packages dist/ imports, found in the compiled code so the list follows the engine as it changes. */
function importedPackages(dist) {
  const packages = new Set();
  const visit = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) visit(full);
      else if (entry.name.endsWith('.js')) {
        for (const [, specifier] of fs.readFileSync(full, 'utf8').matchAll(/(?:from|import\()\s*['"]([^'".][^'"]*)['"]/g)) {
          if (!specifier.startsWith('node:')) packages.add(specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]);
        }
      }
    }
  };
  visit(dist);
  return [...packages].sort();
}

/** Milliseconds to import `specifier` in a fresh Node, best of `repeats` (the floor, which load on a shared machine inflates least). */
function importMs(specifier, repeats, engineRoot) {
  const script = `const t = performance.now(); await import(${JSON.stringify(specifier)}); process.stdout.write(String(performance.now() - t));`;
  const times = Array.from({ length: repeats }, () => Number(execFileSync('node', ['--input-type=module', '-e', script], { cwd: engineRoot, encoding: 'utf8' })));
  return { best: Math.min(...times), median: median(times) };
}

function groupOf(url, functionName) {
  if (!url) return functionName ? `(${functionName.replace(/^\(|\)$/g, '')})` : '(native)';
  const dependency = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  if (dependency) return `npm ${dependency[1]}`;
  if (url.startsWith('node:')) return 'Node internals (module loader, fs, …)';
  const own = url.match(/\/(dist\/.*)$/);
  return own ? own[1] : url;
}

/** Self time by package/file and inclusive time by engine function, in ms, from one .cpuprofile. */
function analyse(file) {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const self = new Map();
  const inclusive = new Map();
  profile.samples.forEach((id, index) => {
    const ms = (profile.timeDeltas[index] ?? 0) / 1000;
    const frame = nodes.get(id).callFrame;
    const group = groupOf(frame.url, frame.functionName);
    self.set(group, (self.get(group) ?? 0) + ms);
    const seen = new Set();
    for (let current = id; current !== undefined; current = parent.get(current)) {
      const { url, functionName } = nodes.get(current).callFrame;
      const own = url.includes('/node_modules/') ? null : url.match(/\/(dist\/.*)$/);
      if (!own || !functionName) continue;
      const name = `${own[1]} ${functionName}`;
      if (seen.has(name)) continue;
      seen.add(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + ms);
    }
  });
  return { total: (profile.endTime - profile.startTime) / 1000, self, inclusive };
}

function averaged(maps) {
  const sum = new Map();
  for (const map of maps) for (const [key, value] of map) sum.set(key, (sum.get(key) ?? 0) + value / maps.length);
  return [...sum.entries()].sort((a, b) => b[1] - a[1]);
}

function main() {
  const { values } = parseArgs({ options: { repeats: { type: 'string', default: '5' }, engine: { type: 'string', default: path.join(repoRoot, 'bin', 'pipeline.js') } } });
  const repeats = Number(values.repeats);
  const engine = path.resolve(values.engine);
  // Packages resolve from the checkout the CLI belongs to (bin/pipeline.js → its root), which need not be this one.
  const engineRoot = path.dirname(path.dirname(engine));
  const workdir = fs.mkdtempSync(path.join(os.tmpdir(), 'linpath-noop-profile-'));
  try {
    const project = path.join(workdir, 'plain');
    generateProject(project);
    runEngine(engine, project, { ran: STAGE_COUNT, fresh: 0 });
    console.log(
      `load average ${os
        .loadavg()
        .map((v) => v.toFixed(2))
        .join(' ')}; best / median of ${repeats} fresh processes each\n`,
    );

    console.log('import cost in a fresh Node (each includes what it imports in turn):');
    const rows = [
      ['node -e 0 start-up', null],
      ...importedPackages(path.join(engineRoot, 'dist')).map((name) => [name, name]),
      ['dist/cli.js', './dist/cli.js'],
      ['dist/engine/commands/run.js (everything a run imports)', './dist/engine/commands/run.js'],
    ];
    for (const [label, specifier] of rows) {
      if (specifier === null) {
        const times = Array.from({ length: repeats }, () => {
          const start = process.hrtime.bigint();
          execFileSync('node', ['-e', '0']);
          return Number(process.hrtime.bigint() - start) / 1e6;
        });
        console.log(
          `  ${Math.min(...times)
            .toFixed(1)
            .padStart(7)} / ${median(times).toFixed(1).padStart(7)} ms  ${label} (wall, whole process)`,
        );
        continue;
      }
      const { best, median: mid } = importMs(specifier, repeats, engineRoot);
      console.log(`  ${best.toFixed(1).padStart(7)} / ${mid.toFixed(1).padStart(7)} ms  ${label}`);
    }

    const profiles = path.join(workdir, 'profiles');
    for (let i = 0; i < repeats; i++) {
      execFileSync('node', ['--cpu-prof', '--cpu-prof-dir', profiles, '--cpu-prof-interval', '250', engine, '-f', path.join(project, 'pipeline.yaml'), 'run', '--jobs', '2'], {
        env: { ...process.env, CI: 'true' },
        stdio: 'ignore',
      });
    }
    const analysed = fs.readdirSync(profiles).map((name) => analyse(path.join(profiles, name)));
    console.log(`\nCPU profile of the no-op run (mean of ${analysed.length}; profiled time ${median(analysed.map((a) => a.total)).toFixed(0)} ms median, profiling adds overhead):`);
    console.log('  self time by package / file:');
    for (const [group, ms] of averaged(analysed.map((a) => a.self)).slice(0, 15)) console.log(`  ${ms.toFixed(1).padStart(7)} ms  ${group}`);
    console.log('  inclusive time of engine functions (after imports):');
    for (const [name, ms] of averaged(analysed.map((a) => a.inclusive)).slice(0, 15)) console.log(`  ${ms.toFixed(1).padStart(7)} ms  ${name}`);
  } finally {
    fs.rmSync(workdir, { recursive: true, force: true });
  }
}

main();

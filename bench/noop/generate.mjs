// Writes a throwaway project shaped like the real pipeline (fetch → 2 trainings → 13 sweeps each → aggregate → render) as pipeline.yaml and as an equivalent Snakefile.
import fs from 'node:fs';
import path from 'node:path';

/** The real default settings (open_lth recipes), each with thirteen log-spaced checkpoints, 0 and the last included. */
const RECIPE = { dataset: 'mnist', optimizer: 'sgd', milestones: [], gamma: 0.1, warmup_epochs: 0, augment: false, seed: 1, batch_size: 128 };
export const SETTINGS = {
  mnist_lenet_300_100: { ...RECIPE, model: 'lenet_300_100', lr: 0.1, momentum: 0, weight_decay: 0, epochs: 40, checkpoints: [0, 1, 3, 10, 30, 100, 300, 1000, 2000, 4000, 8000, 12000, 18760] },
  mnist_conv_bn: { ...RECIPE, model: 'conv_bn', lr: 0.1, momentum: 0.9, weight_decay: 0.0001, epochs: 2, checkpoints: [0, 1, 3, 10, 20, 50, 100, 200, 400, 600, 700, 800, 938] },
};

/** Fake source files mirroring the real tree: stage programs, and library folders with the real file counts. */
const SOURCES = {
  'stages/fetch-data.ts': 1,
  'stages/train.ts': 1,
  'stages/sweep.ts': 1,
  'stages/aggregate.ts': 1,
  'stages/render.ts': 1,
  'src/ml/random.ts': 1,
  'src/ml/compute-error.ts': 1,
  'stages/support': 2,
  'src/ml/backend': 2,
  'src/ml/kernels': 5,
  'src/ml/models': 11,
  'src/ml/checkpoint': 3,
  'src/ml/datasets': 15,
  'src/ml/interpolation': 6,
  'src/ml/barriers': 4,
  'src/report': 19,
  'assets/fonts': 3,
};

/**
 * The files each stage's program runs, as Snakemake lists them. pipeline.yaml declares the same files as the real one
 * does: `program:` (the program imports every code file below) plus `deps` for what it reads without importing.
 */
const COMPUTE = ['stages/support', 'src/ml/backend', 'src/ml/kernels', 'src/ml/models', 'src/ml/checkpoint', 'src/ml/datasets', 'src/ml/random.ts', 'src/ml/compute-error.ts'];
const DEPS = {
  fetch: ['stages/fetch-data.ts', 'stages/support', 'src/ml/datasets', 'package-lock.json'],
  train: ['stages/train.ts', ...COMPUTE],
  sweep: ['stages/sweep.ts', 'src/ml/interpolation', ...COMPUTE],
  aggregate: ['stages/aggregate.ts', 'stages/support', 'src/ml/barriers'],
  render: ['stages/render.ts', 'stages/support', 'src/report', 'assets/fonts'],
};

/** Files a stage reads without importing them: pipeline.yaml lists these under deps, beside its program. */
const isCode = (where) => where.endsWith('.ts') || (where !== 'assets/fonts' && where !== 'package-lock.json');
const PROGRAMS = { fetch: 'stages/fetch-data.ts', train: 'stages/train.ts', sweep: 'stages/sweep.ts', aggregate: 'stages/aggregate.ts', render: 'stages/render.ts' };
const runtimeDeps = (stage) => DEPS[stage].filter((where) => !isCode(where));

export const STAGE_COUNT = 1 + Object.values(SETTINGS).reduce((sum, s) => sum + 1 + s.checkpoints.length, 0) + 2;

/** The code files under a SOURCES entry (a file, or a folder's modules). */
function codeFiles(where) {
  if (where.endsWith('.ts')) return [where];
  return Array.from({ length: SOURCES[where] ?? 0 }, (_, i) => `${where}/module-${i}.ts`);
}

/** Valid TypeScript, so a stage's program: can follow its imports; each program imports every code file its stage runs. */
function writeSources(root) {
  const programImports = new Map(Object.entries(PROGRAMS).map(([stage, program]) => [program, DEPS[stage].filter((where) => isCode(where) && where !== program).flatMap(codeFiles)]));
  const filler = (where) => `// ${where}: filler, the size of a real module\n`.repeat(40);
  for (const [where, count] of Object.entries(SOURCES)) {
    if (where.endsWith('.ts')) {
      fs.mkdirSync(path.join(root, path.dirname(where)), { recursive: true });
      const imports = (programImports.get(where) ?? []).map(
        (file) =>
          `import ${JSON.stringify(
            path.posix
              .relative(path.posix.dirname(where), file)
              .replace(/^(?!\.)/, './')
              .replace(/\.ts$/, '.js'),
          )};\n`,
      );
      fs.writeFileSync(path.join(root, where), `${imports.join('')}export const placeholder = ${JSON.stringify(where)};\n${filler(where)}`);
      continue;
    }
    fs.mkdirSync(path.join(root, where), { recursive: true });
    for (let i = 0; i < count; i++) {
      const name = isCode(where) ? `module-${i}.ts` : `font-${i}.ttf`;
      fs.writeFileSync(path.join(root, where, name), `export const n${i} = ${i};\n${filler(`${where}/${name}`)}`);
    }
  }
  // The real package-lock.json is ~150 kB; its size only matters for a cold run.
  fs.writeFileSync(
    path.join(root, 'package-lock.json'),
    JSON.stringify({ packages: Array.from({ length: 1500 }, (_, i) => ({ name: `pkg-${i}`, version: '1.0.0', integrity: 'sha512-' + 'x'.repeat(64) })) }, null, 2),
  );
}

function yamlList(items) {
  return `[${items.map((item) => JSON.stringify(item)).join(', ')}]`;
}

/** pipeline.yaml in the engine's own syntax, laid out like the real one (nested foreach, GPU resources, each stage's program, and deps for what it reads without importing). */
function pipelineYaml(extraFetchDeps) {
  const settings = Object.entries(SETTINGS)
    .map(([name, setting]) => `    ${name}: ${JSON.stringify(setting)}`)
    .join('\n');
  return `# Generated by bench/noop/run.mjs: ${STAGE_COUNT} trivial stages shaped like the real pipeline.
params:
  settings:
${settings}
  sweep: { points: 100, bn_mode: interpolate, train_loss: false }
  report: { loss_threshold: 0.1, error_threshold: 0.01 }
stages:
  fetch_mnist:
    cmd: echo data > \${out}/data.txt
    program: ${PROGRAMS.fetch}
    deps: ${yamlList([...runtimeDeps('fetch'), ...extraFetchDeps])}
  train:
    foreach: \${params.settings}
    do:
      cmd: cat \${in.data}/data.txt > \${out}/weights.txt && echo \${key} >> \${out}/weights.txt
      needs:
        data: fetch_\${item.dataset}
      params:
        recipe: \${item}
      program: ${PROGRAMS.train}
      resources: { gpu: 1 }
  sweep:
    foreach: \${params.settings}
    do:
      foreach: \${item.checkpoints}
      do:
        cmd: echo \${outer.key} \${item} > \${out}/curve.json
        needs:
          train: train@\${outer.key}
          data: fetch_\${outer.item.dataset}
        params: \${params.sweep}
        program: ${PROGRAMS.sweep}
        resources: { gpu: 1 }
  aggregate:
    cmd: ls \${in.sweep} \${in.train} > \${out}/barriers.json
    needs: [sweep, train]
    program: ${PROGRAMS.aggregate}
  render:
    cmd: cat \${in.aggregate}/barriers.json > \${out}/index.html
    needs: [aggregate]
    params: \${params.report}
    program: ${PROGRAMS.render}
    deps: ${yamlList(runtimeDeps('render'))}
`;
}

/** The same DAG for Snakemake: one job per stage, the same files as inputs, the same params. */
function snakefile() {
  const py = (value) => JSON.stringify(value);
  const code = (stage) => `code(${DEPS[stage].map(py).join(', ')})`;
  return `# Generated by bench/noop/run.mjs: the same ${STAGE_COUNT} jobs as pipeline.yaml.
import json
import os

SETTINGS = json.loads(${py(JSON.stringify(SETTINGS))})
SWEEP = {"points": 100, "bn_mode": "interpolate", "train_loss": False}
REPORT = {"loss_threshold": 0.1, "error_threshold": 0.01}

def code(*paths):
    # A folder stands for every file under it, as in pipeline.yaml's deps.
    files = []
    for p in paths:
        if os.path.isdir(p):
            files += [os.path.join(d, f) for d, _, fs in os.walk(p) for f in fs]
        else:
            files.append(p)
    return sorted(files)

wildcard_constraints:
    setting="[a-z0-9_]+",
    it="[0-9]+"

rule all:
    input: "out/render/index.html"

rule fetch_mnist:
    input: ${code('fetch')}
    output: "out/fetch_mnist/data.txt"
    shell: "echo data > {output}"

rule train:
    input: code=${code('train')}, data="out/fetch_mnist/data.txt"
    output: "out/train/{setting}/weights.txt"
    params: recipe=lambda w: SETTINGS[w.setting]
    resources: gpu=1
    shell: "cat {input.data} > {output} && echo {wildcards.setting} >> {output}"

rule sweep:
    input: code=${code('sweep')}, weights="out/train/{setting}/weights.txt", data="out/fetch_mnist/data.txt"
    output: "out/sweep/{setting}/{it}/curve.json"
    params: sweep=SWEEP
    resources: gpu=1
    shell: "echo {wildcards.setting} {wildcards.it} > {output}"

rule aggregate:
    input: code=${code('aggregate')}, curves=[f"out/sweep/{s}/{it}/curve.json" for s, v in SETTINGS.items() for it in v["checkpoints"]], weights=[f"out/train/{s}/weights.txt" for s in SETTINGS]
    output: "out/aggregate/barriers.json"
    shell: "ls out/sweep out/train > {output}"

rule render:
    input: code=${code('render')}, barriers="out/aggregate/barriers.json"
    output: "out/render/index.html"
    params: report=REPORT
    shell: "cat {input.barriers} > {output}"
`;
}

/** Creates the project in `root`; `extraFetchDeps` adds files (the 1 GB one) to the fetch stage's deps. */
export function generateProject(root, { extraFetchDeps = [] } = {}) {
  fs.mkdirSync(root, { recursive: true });
  writeSources(root);
  fs.writeFileSync(path.join(root, 'pipeline.yaml'), pipelineYaml(extraFetchDeps));
  fs.writeFileSync(path.join(root, 'Snakefile'), snakefile());
}

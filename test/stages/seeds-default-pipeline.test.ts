// Seeds on the default pipeline (shrunk): adding a seed reruns only that seed's stages, and the report summarises both.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { copyShrunkDefaultPipeline, pipelineIn } from './default-pipeline-copy.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

describe('seeds in the default pipeline', () => {
  it('adding a seed trains and sweeps only that seed, then aggregates and renders both as mean and spread', async () => {
    const dir = copyShrunkDefaultPipeline('linpath-seeds-');
    dirs.push(dir);
    const file = path.join(dir, 'pipeline.yaml');
    const spec = parse(fs.readFileSync(file, 'utf8'));
    // Only the paper's DAG: the instability analysis and the plane do not depend on the seeds list.
    spec.params.instability = {};
    spec.params.planes = {};
    fs.writeFileSync(file, stringify(spec));
    const first = await pipelineIn(dir, ['run']);
    expect(first.code, first.stderr).toBe(0);
    const locked = parse(fs.readFileSync(path.join(dir, 'pipeline.lock'), 'utf8')).stages as Record<string, { output: { hash: string } }>;

    spec.params.settings.mnist_lenet_300_100.seeds = [1, 2];
    fs.writeFileSync(file, stringify(spec));
    const second = await pipelineIn(dir, ['run']);
    expect(second.code, second.stderr).toBe(0);
    const ran = [...second.stderr.matchAll(/^run {2,}([^\s:]+)/gm)].map((m) => m[1]).sort();
    expect(ran).toEqual(['aggregate', 'render', 'sweep@mnist_lenet_300_100@2@0', 'sweep@mnist_lenet_300_100@2@3', 'sweep@mnist_lenet_300_100@2@6', 'train@mnist_lenet_300_100@2']);
    const stages = parse(fs.readFileSync(path.join(dir, 'pipeline.lock'), 'utf8')).stages as Record<string, { key: string; output: { hash: string } }>;
    expect(stages['train@mnist_lenet_300_100@1']!.output.hash).toBe(locked['train@mnist_lenet_300_100@1']!.output.hash);
    // Another seed is another initialisation: its weights differ.
    expect(stages['train@mnist_lenet_300_100@2']!.output.hash).not.toBe(stages['train@mnist_lenet_300_100@1']!.output.hash);

    const barriers = JSON.parse(fs.readFileSync(path.join(dir, 'cache/entries', stages.aggregate!.key, 'out/barriers.json'), 'utf8'));
    const lenet = barriers.settings.mnist_lenet_300_100;
    expect(lenet.seeds.map((s: { seed: number }) => s.seed)).toEqual([1, 2]);
    expect(lenet.final.test_loss.sd).toBeGreaterThan(0);
    const html = fs.readFileSync(path.join(dir, 'reports/index.html'), 'utf8');
    expect(html).toContain('±');
  }, 600_000);
});

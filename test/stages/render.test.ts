// The render stage program as the runner calls it: outputs on success, one-line errors and exit codes 1/2 on bad input.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MNIST, runSpecificUpstream, upstreamFixture, writeAggregateFixture } from '../report/fixtures.js';

let dir = '';
let aggregate = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'linpath-render-stage-'));
  aggregate = join(dir, 'aggregate');
  await writeAggregateFixture(aggregate, [MNIST], 21);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function render(args: string[], env: Record<string, string> = {}) {
  return execa('node', ['--import', 'tsx', 'stages/render.ts', ...args], { reject: false, env, all: true });
}

describe('stages/render.ts', () => {
  it("renders the report with provenance and params from the runner's environment", async () => {
    const out = join(dir, 'ok');
    const upstream = join(dir, 'upstream.json');
    const params = join(dir, 'params.json');
    await writeFile(upstream, JSON.stringify(upstreamFixture(aggregate)));
    await writeFile(params, JSON.stringify({ loss_threshold: 0.25, points: 100 }));
    const result = await render(['--aggregate', aggregate, '--out', out], { PIPELINE_UPSTREAM: upstream, PIPELINE_PARAMS: params });
    expect(result.all).toMatch(/^render: wrote figure1\.svg, .*index\.html to /);
    expect(result.exitCode).toBe(0);
    expect((await readdir(out)).sort()).toEqual(
      ['figure1', 'figure2', 'figure3']
        .flatMap((f) => [`${f}.csv`, `${f}.png`, `${f}.svg`])
        .concat('index.html')
        .sort(),
    );
    const html = await readFile(join(out, 'index.html'), 'utf8');
    expect(html).toContain('5e1f5e1f5e1f'); // shortened output hash of the train stage
    expect(html).toContain('exceeds 0.25 nats');
  });

  it('writes the same bytes whatever run-specific fields PIPELINE_UPSTREAM holds (timings, hosts, cache paths)', async () => {
    const outputs: Record<string, Buffer>[] = [];
    for (const seed of [1, 2]) {
      const upstream = join(dir, `upstream-${seed}.json`);
      await writeFile(upstream, JSON.stringify(runSpecificUpstream(aggregate, seed)));
      const out = join(dir, `same-${seed}`);
      const result = await render(['--aggregate', aggregate, '--out', out], { PIPELINE_UPSTREAM: upstream });
      expect(result.exitCode).toBe(0);
      const names = (await readdir(out)).sort();
      outputs.push(Object.fromEntries(await Promise.all(names.map(async (name) => [name, await readFile(join(out, name))] as const))));
    }
    expect(Object.keys(outputs[0]!)).toContain('index.html');
    expect(Object.keys(outputs[1]!)).toEqual(Object.keys(outputs[0]!));
    for (const name of Object.keys(outputs[0]!)) expect(outputs[1]![name]!.equals(outputs[0]![name]!), name).toBe(true);
  });

  it('exits 2 with one line when a flag is missing', async () => {
    const result = await render(['--out', join(dir, 'x')]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual(["error: required option '--aggregate <dir>' not specified"]);
  });

  it('exits 2 naming the bad parameter', async () => {
    const params = join(dir, 'bad-params.json');
    await writeFile(params, JSON.stringify({ png_scale: 'big' }));
    const result = await render(['--aggregate', aggregate, '--out', join(dir, 'bad-params')], { PIPELINE_PARAMS: params });
    expect(result.exitCode).toBe(2);
    expect(result.stderr.trim()).toBe(`render: PIPELINE_PARAMS ${params}: png_scale must be number`);
  });

  it('exits 1 with one line and writes nothing when an input is corrupt', async () => {
    const broken = join(dir, 'broken');
    await writeAggregateFixture(broken, [MNIST], 5);
    await writeFile(join(broken, 'barriers.json'), '{"definitions": {}, "settings": ');
    const out = join(dir, 'broken-out');
    const result = await render(['--aggregate', broken, '--out', out]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(`render: ${join(broken, 'barriers.json')}: not JSON`);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    await expect(readdir(out)).rejects.toThrow(/ENOENT/);
  });
});

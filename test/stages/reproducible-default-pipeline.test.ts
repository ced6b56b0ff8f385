// The default pipeline (shrunk) run clean in two separate copies writes byte-identical pipeline.lock and reports/: `git diff --exit-code` after a run is a valid CI check.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { copyShrunkDefaultPipeline, pipelineIn } from './default-pipeline-copy.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** pipeline.lock and every file under reports/, as bytes, by relative path. */
function results(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>([['pipeline.lock', fs.readFileSync(path.join(dir, 'pipeline.lock'))]]);
  for (const name of fs.readdirSync(path.join(dir, 'reports'), { recursive: true, encoding: 'utf8' }).sort()) {
    const file = path.join(dir, 'reports', name);
    if (fs.statSync(file).isFile()) files.set(`reports/${name}`, fs.readFileSync(file));
  }
  return files;
}

function expectSameBytes(now: Map<string, Buffer>, before: Map<string, Buffer>): void {
  expect([...now.keys()]).toEqual([...before.keys()]);
  for (const [name, bytes] of before) expect(now.get(name)!.equals(bytes), `${name} differs`).toBe(true);
}

async function run(dir: string, args: string[] = ['run']): Promise<void> {
  const result = await pipelineIn(dir, args);
  if (result.code !== 0) throw new Error(`pipeline ${args.join(' ')} failed in ${dir}:\n${result.stderr}`);
}

describe('the default pipeline reproduces byte for byte', () => {
  it('two clean runs in two copies write identical pipeline.lock and reports/; a forced rerun of everything changes neither', async () => {
    const [first, second] = [copyShrunkDefaultPipeline('linpath-same-a-'), copyShrunkDefaultPipeline('linpath-same-b-')];
    dirs.push(first, second);
    await run(first);
    await run(second);
    const reference = results(first);
    expect([...reference.keys()]).toEqual(expect.arrayContaining(['pipeline.lock', 'reports/index.html', 'reports/figure1.png', 'reports/figure3.svg']));
    expectSameBytes(results(second), reference);
    // The provenance table still names what the results came from: the train stage's output hash, as locked.
    const html = reference.get('reports/index.html')!.toString('utf8');
    const trainHash = (parse(reference.get('pipeline.lock')!.toString('utf8')) as { stages: Record<string, { output: { hash: string } }> }).stages['train@mnist_lenet_300_100@1']!.output.hash;
    expect(html).toContain(`<td class="text">train@mnist_lenet_300_100@1</td><td class="text"><code title="${trainHash}">${trainHash.slice(0, 12)}</code></td><td class="text">wasm</td>`);

    await run(first, ['run', '--force']);
    expectSameBytes(results(first), reference);
  }, 600_000);
});

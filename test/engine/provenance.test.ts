// PIPELINE_UPSTREAM is opt-in (`provenance: true`), and the key of a stage that gets it covers what it holds.
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { Project } from './rig.js';

/**
 * `data` writes the same bytes whatever backend.txt says, and reports the backend in its info (with a
 * run-specific GPU index, which the lock and PIPELINE_UPSTREAM leave out). `fetch` is its name as written;
 * `fetch@mnist` gives it another name with the same command, so the same key and output.
 */
function pipeline(fetch = 'fetch_mnist'): string {
  const [group, member] = fetch.split('@');
  const body = `cmd: printf 'x\\n' > \${out}/data.txt && printf '{"backend":"%s","gpu_index":"%s"}' "$(cat backend.txt)" $$ > "$PIPELINE_INFO"
    deps: [backend.txt]`;
  const data = member ? `  ${group}:\n    foreach: [${member}]\n    do:\n      ${body.replace('\n', '\n  ')}\n` : `  ${fetch}:\n    ${body}\n`;
  return `stages:
${data}  summary:
    cmd: (env | grep ^PIPELINE_UPSTREAM= || echo none) > \${out}/upstream.txt && cat \${in.data}/data.txt >> \${out}/upstream.txt
    needs: { data: ${fetch} }
  report:
    cmd: node stages/report.mjs \${out}
    deps: [stages/report.mjs]
    needs: { data: ${fetch}, summary: summary }
    provenance: true
    publish:
      provenance.json: reports/provenance.json
`;
}

// Shows what a report's provenance table shows: each upstream stage's name, output hash and info.
const reportStage = `import fs from 'node:fs';
const upstream = JSON.parse(fs.readFileSync(process.env.PIPELINE_UPSTREAM, 'utf8'));
const shown = Object.fromEntries(Object.entries(upstream).map(([stage, entry]) => [stage, { output_hash: entry.output_hash, info: entry.info }]));
fs.writeFileSync(process.argv[2] + '/provenance.json', JSON.stringify(shown, null, 1));
`;

const projects: Project[] = [];
afterEach(() => {
  for (const project of projects.splice(0)) project.cleanup();
});

function project(): Project {
  const made = new Project();
  projects.push(made);
  made.pipeline(pipeline());
  made.write('stages/report.mjs', reportStage);
  made.write('backend.txt', 'wasm');
  return made;
}

/** The stages a run ran, from its progress lines (`done       NAME in …`). */
async function ran(made: Project): Promise<string[]> {
  const result = await made.run(['run']);
  expect(result.code, result.stderr).toBe(0);
  return [...result.stderr.matchAll(/^done {7}(\S+) in /gm)].map((match) => match[1]!);
}

function shown(made: Project): Record<string, { info: Record<string, unknown> }> {
  return JSON.parse(made.read('reports/provenance.json'));
}

describe('provenance: true', () => {
  it('only a stage that declares it gets PIPELINE_UPSTREAM, and only its key covers the upstream stages', async () => {
    const made = project();
    expect(await ran(made)).toEqual(['fetch_mnist', 'summary', 'report']);
    const lock = parse(made.read('pipeline.lock')).stages;
    expect(made.read(`cache/entries/${lock.summary.key}/out/upstream.txt`)).toBe('none\nx\n');
    expect(Object.keys(shown(made))).toEqual(['fetch_mnist', 'summary']);
    expect(shown(made).fetch_mnist!.info).toEqual({ backend: 'wasm' });
    expect(Object.keys(lock.report.inputs.upstream)).toEqual(['fetch_mnist', 'summary']);
    expect(lock.summary.inputs).not.toHaveProperty('upstream');
    expect(lock.fetch_mnist.inputs).not.toHaveProperty('upstream');
  });

  it("a runner started inside another stage does not hand that stage's PIPELINE_UPSTREAM to a stage without the flag", async () => {
    const made = project();
    const outer = await made.run(['run'], { PIPELINE_UPSTREAM: '/outer/upstream.json', PIPELINE_SCRATCH: '/outer/scratch', PIPELINE_IN_DATA: '/outer/data' });
    expect(outer.code, outer.stderr).toBe(0);
    const lock = parse(made.read('pipeline.lock')).stages;
    expect(made.read(`cache/entries/${lock.summary.key}/out/upstream.txt`)).toBe('none\nx\n');
  });

  it('an upstream stage renamed with the same output reruns the stage that names it in its report, and no other', async () => {
    const made = project();
    await ran(made);
    const keys = parse(made.read('pipeline.lock')).stages;
    made.pipeline(pipeline('fetch@mnist'));
    const status = await made.run(['status']);
    expect(status.stdout).toContain('fresh     summary');
    expect(status.stdout).toContain('stale     report\n            - PIPELINE_UPSTREAM: upstream fetch_mnist renamed to fetch@mnist\n');
    expect(await ran(made)).toEqual(['report']);
    const renamed = parse(made.read('pipeline.lock')).stages;
    expect(renamed['fetch@mnist'].key).toBe(keys.fetch_mnist.key);
    expect(renamed.summary.key).toBe(keys.summary.key);
    expect(Object.keys(shown(made))).toEqual(['fetch@mnist', 'summary']);
    expect(await ran(made)).toEqual([]);
  });

  it("a change in an upstream stage's info alone reruns the provenance stage, not the others", async () => {
    const made = project();
    await ran(made);
    made.write('backend.txt', 'webgpu');
    // fetch_mnist reruns (its dep changed) and writes the same bytes: summary, which reads only them, stays fresh.
    expect((await made.run(['run', 'fetch_mnist'])).code).toBe(0);
    const status = await made.run(['status']);
    expect(status.stdout).toContain('fresh     summary');
    expect(status.stdout).toContain('stale     report\n            - PIPELINE_UPSTREAM: output, info or metrics of upstream fetch_mnist changed\n');
    expect(await ran(made)).toEqual(['report']);
    expect(shown(made).fetch_mnist!.info).toEqual({ backend: 'webgpu' });
    expect(parse(made.read('pipeline.lock')).stages.fetch_mnist.info).toEqual({ backend: 'webgpu' });
  });

  it('says why a stage that stops declaring it is stale', async () => {
    const made = project();
    await ran(made);
    made.pipeline(pipeline().replace('    provenance: true\n', ''));
    expect((await made.run(['status'])).stdout).toContain('stale     report\n            - provenance: true removed: it no longer gets PIPELINE_UPSTREAM\n');
  });
});

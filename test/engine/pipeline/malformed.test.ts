// A generated corpus of malformed pipeline files, each through the CLI's main(): exit 2, one line naming file and line, no stack trace.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../../src/cli.js';
import { maxNameLength } from '../../../src/engine/pipeline/names.js';
import { Project, type CliResult } from '../rig.js';

interface Case {
  name: string;
  yaml: string;
  /** The line the message must name. */
  line: number;
  /** A part of the message that says what is wrong. */
  says: string | RegExp;
}

const stage = (body = '') => `stages:\n  a:\n    cmd: echo\n${body}`;
const long = (length: number) => 'k'.repeat(length);

function corpus(): Case[] {
  const cases: Case[] = [];
  const add = (name: string, yaml: string, line: number, says: string | RegExp) => cases.push({ name, yaml, line, says });

  // Fan-out keys that cannot be file names, written out or produced by a template.
  for (const key of ['.', '..']) {
    add(`foreach list key ${key}`, `stages:\n  a:\n    foreach: [x, "${key}"]\n    do:\n      cmd: echo\n`, 3, `fan-out key "${key}" cannot be a file name`);
    add(`foreach map key ${key}`, `stages:\n  a:\n    foreach:\n      x: 1\n      "${key}": 2\n    do:\n      cmd: echo\n`, 5, `fan-out key "${key}" cannot be a file name`);
    add(`foreach template key ${key}`, `params:\n  keys: [x, "${key}"]\nstages:\n  a:\n    foreach: \${params.keys}\n    do:\n      cmd: echo\n`, 5, `fan-out key "${key}" cannot be a file name`);
    add(`foreach name field ${key}`, `stages:\n  a:\n    foreach:\n      - { name: "${key}", lr: 1 }\n    do:\n      cmd: echo\n`, 4, `fan-out key "${key}" cannot be a file name`);
  }
  // Names longer than a file name allows: a stage, a key, nested keys that are only too long together.
  add('stage name over the limit', `stages:\n  ${long(maxNameLength + 1)}:\n    cmd: echo\n`, 2, `(${maxNameLength + 1} characters): use letters`);
  add('stage name of 300', `stages:\n  ${long(300)}:\n    cmd: echo\n`, 2, '(300 characters)');
  add('foreach key over the limit', `stages:\n  a:\n    foreach: [${long(maxNameLength)}]\n    do:\n      cmd: echo\n`, 3, `(${maxNameLength + 2} characters) is longer than ${maxNameLength}`);
  add('foreach map key of 300', `stages:\n  a:\n    foreach:\n      ${long(300)}: 1\n    do:\n      cmd: echo\n`, 4, '(302 characters) is longer than');
  add('nested keys too long together', `stages:\n  a:\n    foreach: [${long(120)}]\n    do:\n      foreach: [${long(120)}]\n      do:\n        cmd: echo\n`, 5, '(243 characters) is longer than');
  add('input name over the limit', `stages:\n  b:\n    cmd: echo\n  a:\n    cmd: echo\n    needs: { ${long(maxNameLength + 1)}: b }\n`, 6, 'invalid input name');

  // Names that cannot be names: the message shows the name itself, never "[object Object]".
  for (const name of ['a b', 'a/b', '..', '.hidden', 'a@b', 'é', 'ünï', '日本', 'a\\tb', '-x', 'a$b', 'a:b']) {
    const shown = JSON.stringify(JSON.parse(`"${name}"`));
    add(`stage name ${name}`, `stages:\n  ok:\n    cmd: echo\n  "${name}":\n    cmd: echo\n`, 4, `invalid stage name ${shown}`);
  }
  for (const name of ['A-B', '1A', 'A B', 'É', 'a.b', '']) {
    add(`env name "${name}"`, stage(`    env:\n      "${name}": x\n`), 5, `invalid environment variable name ${JSON.stringify(name)}`);
    add(`toolchain env name "${name}"`, `toolchain:\n  env: [PIPELINE_BACKEND, "${name}"]\n${stage()}`, 2, `invalid environment variable name ${JSON.stringify(name)}`);
  }
  for (const name of ['..', '.', 'x.y', 'a b', 'a/b']) {
    add(`input name ${name}`, `stages:\n  b:\n    cmd: echo\n  a:\n    cmd: echo\n    needs:\n      "${name}": b\n`, 7, `invalid input name ${JSON.stringify(name)}`);
  }

  // Numbers JSON cannot carry: they would reach a stage (and its key) as null.
  for (const written of ['.inf', '-.inf', '+.inf', '.Inf', '.INF', '.nan', '.NaN', '.NAN', '1e999', '-1e999']) {
    add(`top-level param ${written}`, `params:\n  x: ${written}\n${stage()}`, 2, `${written} is not a finite number`);
    add(`stage param ${written}`, stage(`    params:\n      lr: [0.1, ${written}]\n`), 5, `stages.a.params.lr[1]: ${written} is not a finite number`);
  }
  add('foreach item .inf', `stages:\n  a:\n    foreach: [1, .inf]\n    do:\n      cmd: echo \${item}\n`, 3, '.inf is not a finite number');
  add('env value .nan', stage('    env:\n      X: .nan\n'), 5, '.nan is not a finite number');

  // Tags: unknown ones are not strings, and known non-JSON ones (binary, set, timestamp) are not values a stage gets.
  const tags = ['!include other.yaml', '!custom x', '!!binary aGk=', '!!set { a }', '!!timestamp 2001-12-14', '!!omap [ a: 1 ]', '!<tag:example.com,2000:x> y'];
  for (const tagged of tags) {
    const tag = tagged.split(' ')[0].replace(/^!<(.*)>$/, '$1');
    add(`tag ${tag} in cmd`, `stages:\n  a:\n    cmd: ${tagged}\n`, 3, `YAML tag "${tag}" is not supported`);
    add(`tag ${tag} in params`, `params:\n  p: ${tagged}\n${stage()}`, 2, `YAML tag "${tag}" is not supported`);
  }
  add('tag on a key', stage('    params:\n      !include x: 1\n'), 5, 'YAML tag "!include" is not supported');

  // Files that define no stages.
  for (const [what, text] of [
    ['empty', ''],
    ['blank lines', '\n\n\n'],
    ['comments', '# one\n# two\n'],
    ['a bare document marker', '---\n'],
    ['markers and a comment', '--- # nothing\n...\n'],
  ] as const) {
    add(`${what}`, text, 1, 'the file defines no stages: it is empty or holds only comments');
  }
  add('stages: null', 'stages:\n', 1, 'the file defines no stages: "stages:" is empty');
  add('stages: {}', 'params: {}\nstages: {}\n', 2, 'the file defines no stages: "stages:" is empty');
  add('a scalar document', 'hello\n', 1, 'expected a map with a "stages:" key, got string "hello"');
  add('a list document', '- a\n- b\n', 1, 'expected a map with a "stages:" key, got a list');
  add('a list as a map key', stage('    params:\n      ? [x]\n      : 1\n'), 5, 'a map key must be a plain string or number');

  // The older checks, kept in the corpus so every kind of mistake is held to the same standard.
  add('unknown top-level key', `${stage()}stagez: {}\n`, 4, 'unknown key "stagez"');
  add('unknown stage key', stage('    dependencies: [x]\n'), 4, 'unknown key "dependencies"');
  add('missing cmd', 'stages:\n  a:\n    deps: [x]\n', 3, 'missing required key "cmd"');
  add('empty cmd', 'stages:\n  a:\n    cmd: ""\n', 3, 'stages.a.cmd');
  add('cmd a list', 'stages:\n  a:\n    cmd: [echo]\n', 3, 'expected string, got a list');
  add('gpu a word', stage('    resources: { gpu: two }\n'), 4, 'expected integer, got string "two"');
  add('gpu negative', stage('    resources: { gpu: -1 }\n'), 4, 'stages.a.resources.gpu');
  add('resumable a word', stage('    resumable: sure\n'), 4, 'expected boolean');
  add('provenance a number', stage('    provenance: 1\n'), 4, 'stages.a.provenance: expected boolean, got number 1');
  add('needs a number', stage('    needs: 3\n'), 4, 'expected a list of stage names or a map');
  add('needs an unknown stage', stage('    needs: [trian]\n'), 4, 'needs "trian", which names no stage');
  add('a cycle', 'stages:\n  a:\n    cmd: echo\n    needs: [b]\n  b:\n    cmd: echo\n    needs: [a]\n', 4, 'cycle');
  add('an unresolved param', stage().replace('echo', 'echo ${params.nope}'), 3, '${params.nope} does not resolve');
  add('${in.X} not needed', stage().replace('echo', 'cat ${in.b}'), 3, '"b" is not in this stage\'s needs');
  add('${scratch} without resumable', stage().replace('echo', 'echo ${scratch}'), 3, '${scratch} exists only for stages with resumable: true');
  add('an empty foreach', 'stages:\n  a:\n    foreach: []\n    do:\n      cmd: echo\n', 3, 'foreach gives an empty list');
  add('foreach a number', 'stages:\n  a:\n    foreach: 3\n    do:\n      cmd: echo\n', 3, 'expected a list, a map or a ${…} template');
  add('foreach key with a slash', 'stages:\n  a:\n    foreach: ["x/y"]\n    do:\n      cmd: echo\n', 3, 'fan-out key "x/y" may only hold');
  add('duplicate members', 'stages:\n  a:\n    foreach: [x, y, x]\n    do:\n      cmd: echo\n', 5, 'two stages are named "a@x"');
  add('duplicate YAML key', 'stages:\n  a:\n    cmd: echo\n  a:\n    cmd: echo\n', 4, 'YAML syntax error');
  // The parser notices a missing quote where the file ends.
  add('unterminated string', 'stages:\n  a:\n    cmd: "echo\n', 4, 'YAML syntax error: Missing closing');
  add('bad indentation', 'stages:\n  a:\n    cmd: echo\n   deps: [x]\n', 4, 'YAML syntax error');
  add('a tab for indentation', 'stages:\n\ta:\n\t\tcmd: echo\n', 2, 'YAML syntax error');
  add('deps outside the project', stage('    deps: [../../etc/passwd]\n'), 4, 'is outside the project');
  add('publish outside the project', stage('    publish: /tmp/elsewhere\n'), 4, 'must be a path inside the project');
  add('metrics outside the output', stage('    metrics: [../m.json]\n'), 4, "must be a path inside the stage's output");
  add('params a list', stage('    params: [1, 2]\n'), 4, 'expected a map or a ${params.…} template');
  add('executor kind', `executor:\n  kind: kubernetes\n${stage()}`, 2, 'expected one of "local", "slurm"');
  return cases;
}

const cases = corpus();
let project: Project;
const results = new Map<string, CliResult & { ms: number }>();
/** Each case is its own file in one project, so messages must name that file. */
const files = new Map(cases.map((entry, index) => [entry.name, `case-${String(index).padStart(3, '0')}.yaml`]));

/**
 * The CLI's own main() in this process, its output captured: a hundred Node start-ups would cost a minute of
 * two shared cores. An error main() does not turn into a message rejects here, where the bin would print a
 * stack trace. A sample also goes through the real bin below.
 */
async function runMain(args: string[]): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  try {
    const code = await main(args).catch((error: unknown) => {
      stderr += `UNCAUGHT ${(error as Error).stack}\n`;
      return 1;
    });
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

beforeAll(async () => {
  project = new Project();
  for (const entry of cases) project.write(files.get(entry.name)!, entry.yaml);
  for (const entry of cases) {
    const started = Date.now();
    const result = await runMain(['-f', path.join(project.dir, files.get(entry.name)!), 'run']);
    results.set(entry.name, { ...result, ms: Date.now() - started });
  }
}, 120_000);

afterAll(() => project?.cleanup());

describe('a generated corpus of malformed pipelines', () => {
  it('holds at least 80 cases with distinct names', () => {
    expect(cases.length).toBeGreaterThanOrEqual(80);
    expect(new Set(cases.map((entry) => entry.name)).size).toBe(cases.length);
  });

  it.each(cases.map((entry) => [entry.name, entry] as const))('%s: exit 2, one located line, no stack trace', (name, entry) => {
    const result = results.get(name)!;
    const file = path.join(project.dir, files.get(name)!);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.endsWith('\n'), JSON.stringify(result.stderr)).toBe(true);
    const lines = result.stderr.slice(0, -1).split('\n');
    expect(lines, result.stderr).toHaveLength(1);
    expect(lines[0].startsWith(`pipeline: ${file}:${entry.line}:`), lines[0]).toBe(true);
    if (typeof entry.says === 'string') expect(lines[0]).toContain(entry.says);
    else expect(lines[0]).toMatch(entry.says);
    expect(lines[0]).not.toContain('[object Object]');
    expect(result.stderr).not.toMatch(/\n\s+at |internal error|Warning:/);
    // Bounded: a refusal is a parse and a schema check, not a run.
    expect(result.ms).toBeLessThan(20_000);
  });

  it('nothing was run or cached for any of them', () => {
    expect(project.entries()).toEqual([]);
    expect(fs.existsSync(path.join(project.dir, 'cache/logs'))).toBe(false);
  });

  it('the real bin says the same for every eighth case, with exit status 2 and nothing else', async () => {
    const sample = cases.filter((_, index) => index % 8 === 0);
    for (const entry of sample) {
      const result = await project.run(['-f', files.get(entry.name)!, 'run']);
      const expected = results.get(entry.name)!.stderr.replace(`${project.dir}${path.sep}`, '');
      expect({ case: entry.name, code: result.code, stdout: result.stdout, stderr: result.stderr }).toEqual({ case: entry.name, code: 2, stdout: '', stderr: expected });
    }
  });
});

describe('the limits are where the messages say', () => {
  let edge: Project;
  afterAll(() => edge?.cleanup());

  it(`a stage named with exactly ${maxNameLength} characters, and keys like "..." or ".x", run and keep their logs`, async () => {
    edge = new Project();
    const top = long(maxNameLength);
    const member = long(maxNameLength - 2);
    // Failing on purpose: a failed stage's log is kept as cache/logs/NAME.log, the longest file name a stage gets.
    edge.pipeline(
      `stages:\n  ${top}:\n    cmd: echo top; exit 3\n  a:\n    foreach: [${member}]\n    do:\n      cmd: echo member; exit 3\n  b:\n    foreach: ["...", ".x", "x."]\n    do:\n      cmd: echo \${key}\n  c:\n    cmd: ls -a \${in.b}; exit 3\n    needs: [b]\n`,
    );
    const result = await edge.run(['run', '--keep-going']);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout + result.stderr).not.toMatch(/ENAMETOOLONG|internal error/);
    expect(fs.readFileSync(path.join(edge.dir, 'cache/logs', `${top}.log`), 'utf8')).toContain('top');
    expect(fs.readFileSync(path.join(edge.dir, 'cache/logs', `a@${member}.log`), 'utf8')).toContain('member');
    expect(fs.readFileSync(path.join(edge.dir, 'cache/logs', 'c.log'), 'utf8').split('\n')).toEqual(expect.arrayContaining(['...', '.x', 'x.']));
  });
});

describe('what an infinity would have been written as instead', () => {
  let quoted: Project;
  afterAll(() => quoted?.cleanup());

  it('quoted ".inf" and ".nan" and a null param reach their stages as written, under three keys', async () => {
    quoted = new Project();
    quoted.pipeline(`stages:\n  a:\n    foreach:\n      inf: ".inf"\n      nan: ".nan"\n      none: null\n    do:\n      cmd: ${quoted.stage()}\n      params: { x: "\${item}" }\n`);
    const result = await quoted.run(['run']);
    expect(result.code, result.stderr).toBe(0);
    const seen = Object.fromEntries(
      quoted
        .recorded()
        .filter((entry) => entry.event === 'start')
        .map((entry) => [entry.name, entry.params]),
    );
    expect(seen).toEqual({ 'a@inf': { x: '.inf' }, 'a@nan': { x: '.nan' }, 'a@none': { x: null } });
    // Three keys, so three entries: none was taken from another's cache.
    expect(quoted.entries()).toHaveLength(3);
  });
});

// The schema editors use and the engine's own limit are one number.
describe('the published schema', () => {
  it(`limits stage and input names to ${maxNameLength} characters, as the engine does`, () => {
    const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
    const text = fs.readFileSync(path.join(repo, 'schema/pipeline.schema.json'), 'utf8');
    const limits = [...text.matchAll(/"maxLength": (\d+)/g)].map((match) => Number(match[1]));
    expect(limits).toEqual([maxNameLength, maxNameLength]);
  });
});

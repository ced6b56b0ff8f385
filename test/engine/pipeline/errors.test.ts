import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SpecError } from '../../../src/engine/errors.js';
import { loadPipeline } from '../../../src/engine/pipeline/load.js';
import { Project } from '../rig.js';

let project: Project;
afterEach(() => project?.cleanup());

function problemWith(yaml: string): SpecError {
  project = new Project();
  project.pipeline(yaml);
  try {
    loadPipeline(path.join(project.dir, 'pipeline.yaml'));
  } catch (error) {
    if (error instanceof SpecError) return error;
    throw error;
  }
  throw new Error('expected the pipeline to be refused');
}

describe('a malformed pipeline.yaml gets one located message', () => {
  it('YAML syntax error: line and column', () => {
    const error = problemWith('stages:\n  a:\n    cmd: "unterminated\n');
    expect(error.reason).toBe('spec-syntax');
    expect(error.where.line).toBeGreaterThanOrEqual(3);
    expect(error.message).toMatch(/pipeline\.yaml:\d+:\d+: YAML syntax error/);
  });

  it('an alias bomb and absurd nesting: a message, not a stack trace', () => {
    const levels = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 8; i++)
      levels.push(
        `a${i}: &a${i} [${Array(10)
          .fill(`*a${i - 1}`)
          .join(', ')}]`,
      );
    const bomb = problemWith(`params:\n${levels.map((line) => `  ${line}`).join('\n')}\nstages:\n  a:\n    cmd: echo\n`);
    expect(bomb.reason).toBe('spec-syntax');
    expect(bomb.message).toMatch(/pipeline\.yaml: YAML cannot be read: its aliases expand too far \(more than 1000 alias uses in one value\)$/);
    const deep = problemWith(`stages:\n  a:\n    cmd: echo\n    params:\n      x: ${'['.repeat(10_000)}${']'.repeat(10_000)}\n`);
    expect(deep.message).toMatch(/pipeline\.yaml:5:\d+: YAML syntax error: it is nested too deeply to read$/);
  });

  it('unknown key: points at the key and names it', () => {
    const error = problemWith('stages:\n  a:\n    cmd: echo\n    dependencies: [x]\n');
    expect(error.reason).toBe('spec-schema');
    expect(error.message).toContain('pipeline.yaml:4:5: stages.a.dependencies: unknown key "dependencies"');
  });

  it('wrong type: says what was expected and what was found', () => {
    const error = problemWith('stages:\n  a:\n    cmd: echo\n    resources: { gpu: two }\n');
    expect(error.message).toContain('pipeline.yaml:4:23: stages.a.resources.gpu: expected integer, got string "two"');
  });

  it('missing cmd', () => {
    const error = problemWith('stages:\n  a:\n    deps: [x]\n');
    expect(error.message).toContain('stages.a: missing required key "cmd"');
    expect(error.where.line).toBe(3);
  });

  it('a needs that names no stage, with a suggestion', () => {
    const error = problemWith('stages:\n  train:\n    cmd: echo\n  sweep:\n    cmd: echo ${in.trian}\n    needs: [trian]\n');
    expect(error.reason).toBe('spec-unknown-stage');
    expect(error.message).toContain('pipeline.yaml:6:12: stages.sweep.needs: needs "trian", which names no stage (did you mean "train"?)');
  });

  it('a cycle, spelled out', () => {
    const error = problemWith('stages:\n  a:\n    cmd: echo\n    needs: [c]\n  b:\n    cmd: echo\n    needs: [a]\n  c:\n    cmd: echo\n    needs: [b]\n');
    expect(error.reason).toBe('spec-cycle');
    expect(error.message).toMatch(/cycle: (a → c → b → a|c → b → a → c|b → a → c → b)/);
    expect(error.where.line).toBeDefined();
  });

  it('a template variable that does not resolve', () => {
    const error = problemWith('params:\n  lr: 0.1\nstages:\n  a:\n    cmd: train --lr ${params.learning_rate}\n');
    expect(error.reason).toBe('spec-template');
    expect(error.message).toContain('pipeline.yaml:5:10: stages.a.cmd: ${params.learning_rate} does not resolve: "params.learning_rate" is not defined');
  });

  it('${in.X} for a stage that is not needed', () => {
    const error = problemWith('stages:\n  a:\n    cmd: echo\n  b:\n    cmd: cat ${in.a}/x\n');
    expect(error.message).toContain('stages.b.cmd: ${in.a} does not resolve: "a" is not in this stage\'s needs');
  });

  it('${item} outside foreach', () => {
    const error = problemWith('stages:\n  a:\n    cmd: echo ${item}\n');
    expect(error.message).toContain('${item} does not resolve: ${item} exists only inside foreach');
  });

  it('two stages with one name after expansion', () => {
    const error = problemWith('stages:\n  a:\n    foreach: [x, y, x]\n    do:\n      cmd: echo ${item}\n');
    expect(error.reason).toBe('spec-duplicate-stage');
    expect(error.message).toContain('two stages are named "a@x"');
  });

  it('a deps path that escapes the project root is refused', () => {
    const error = problemWith('stages:\n  a:\n    cmd: echo\n    deps: [src/ok.ts, ../../etc/passwd]\n');
    expect(error.reason).toBe('spec-path-escapes-root');
    expect(error.message).toContain('stages.a.deps[1]: "../../etc/passwd" is outside the project');
  });

  it('a publish destination outside the project is refused', () => {
    const error = problemWith('stages:\n  a:\n    cmd: echo\n    publish: /tmp/elsewhere\n');
    expect(error.reason).toBe('spec-path-escapes-root');
    expect(error.message).toContain('stages.a.publish: publish destination "/tmp/elsewhere" must be a path inside the project');
  });

  it('a fan-out key that cannot be a file name', () => {
    const error = problemWith('stages:\n  a:\n    foreach: ["x/y"]\n    do:\n      cmd: echo\n');
    expect(error.message).toContain('fan-out key "x/y" may only hold');
  });
});

describe('the CLI turns spec errors into exit 2 and one message', () => {
  it('prints no stack trace', async () => {
    project = new Project();
    project.pipeline('stages:\n  a:\n    cmd: echo\n    needs: [nope]\n');
    const result = await project.run(['run']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('pipeline.yaml:4:12: stages.a.needs: needs "nope", which names no stage');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('a missing pipeline file', async () => {
    project = new Project();
    const result = await project.run(['run', '-f', 'nope.yaml']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('nope.yaml: cannot read the pipeline (no such file)');
  });

  it('a dep file that does not exist is reported before anything runs', async () => {
    project = new Project();
    project.pipeline(`stages:\n  a:\n    cmd: ${project.stage()}\n    deps: [src/missing.ts]\n`);
    const result = await project.run(['run']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('pipeline.yaml:4:12: stages.a.deps[0]: dep "src/missing.ts" does not exist');
    expect(project.recorded()).toEqual([]);
  });

  it('bad usage: an unknown stage name and a bad flag', async () => {
    project = new Project();
    project.pipeline('stages:\n  a:\n    cmd: echo\n');
    const unknown = await project.run(['run', 'b']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no stage or fan-out group named "b"');
    const flag = await project.run(['run', '--jobs', 'zero']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain('expected a whole number');
    expect(fs.existsSync(path.join(project.dir, 'cache/entries'))).toBe(false);
  });
});

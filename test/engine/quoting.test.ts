// ${out}, ${in.X} and ${scratch} reach the shell as one word wherever the project lives; params are substituted raw, once.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { Project } from './rig.js';

let project: Project | undefined;
afterEach(() => project?.cleanup());

describe('a project whose path has spaces, quotes and $', () => {
  it('every run-time path is one word: outside quotes, inside "…" and inside \'…\'', async () => {
    project = new Project(`my project 'q' $HOME "d"`);
    project.pipeline(`stages:
  a:
    cmd: echo hi > \${out}/a.txt
  b:
    cmd: cat "\${in.a}/a.txt" \${in.a}/a.txt > "\${out}/b.txt" && printf '%s' '\${out}' > \${out}/where.txt
    needs: [a]
  members:
    foreach: [x, y]
    do:
      cmd: echo \${key} > \${out}/m.txt
  c:
    resumable: true
    cmd: echo 7 > \${scratch}/s && cp \${scratch}/s \${out}/s && cat \${in.members}/*/m.txt > \${out}/all.txt && sh -c 'cat "$PIPELINE_IN_B/b.txt"' > \${out}/nested.txt
    needs: [b, members]
`);
    const result = await project.run(['run']);
    expect(result.stderr).not.toContain('FAILED');
    expect(result.code).toBe(0);
    const out = (stage: string, file: string) => fs.readFileSync(path.join(project!.dir, 'cache/entries', parse(project!.read('pipeline.lock')).stages[stage].key, 'out', file), 'utf8');
    expect(out('a', 'a.txt')).toBe('hi\n');
    expect(out('b', 'b.txt')).toBe('hi\nhi\n');
    expect(out('b', 'where.txt').startsWith(path.join(project.dir, 'cache/tmp/'))).toBe(true);
    expect(out('b', 'where.txt').endsWith('/out')).toBe(true);
    expect(out('c', 's')).toBe('7\n');
    expect(out('c', 'all.txt')).toBe('x\ny\n');
    expect(out('c', 'nested.txt')).toBe('hi\nhi\n');
    // Nothing was written beside the project (an unquoted path splits at its first space).
    expect(fs.readdirSync(project.parent)).toEqual([path.basename(project.dir)]);
  });
});

describe('params are substituted raw, in one pass', () => {
  it('a param holding ${out} or $${ reaches the shell as written, and keys the stage apart from a real ${out}', async () => {
    project = new Project();
    const pipeline = (cmd: string) => `params:\n  text: 'a \${out} $\${b}'\nstages:\n  a:\n    cmd: ${cmd}\n`;
    project.pipeline(pipeline(`printf '%s' '\${params.text}' > \${out}/raw.txt`));
    const result = await project.run(['run']);
    expect(result.code).toBe(0);
    const lock = parse(project.read('pipeline.lock')).stages.a;
    expect(fs.readFileSync(path.join(project.dir, 'cache/entries', lock.key, 'out/raw.txt'), 'utf8')).toBe('a ${out} $${b}');

    // The same text written directly in cmd is a different command: ${out} is expanded, $${ is an escape.
    project.pipeline(pipeline(`printf '%s' 'a \${out} $\${b}' > \${out}/raw.txt`));
    const direct = await project.run(['run']);
    expect(direct.code).toBe(0);
    const other = parse(project.read('pipeline.lock')).stages.a;
    expect(other.key).not.toBe(lock.key);
    expect(fs.readFileSync(path.join(project.dir, 'cache/entries', other.key, 'out/raw.txt'), 'utf8')).toMatch(/^a \/.*\/out \$\{b\}$/);
  });
});

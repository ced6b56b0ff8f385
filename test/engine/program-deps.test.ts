// A stage's `program:` makes the files it imports its deps: an edit elsewhere reruns nothing, an edit to an import does.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { followImports } from '../../src/engine/fingerprint/follow-imports.js';
import { Project } from './rig.js';

let project: Project;
beforeEach(() => {
  project = new Project();
  project.write('stages/train.ts', "import { fit } from '../lib/fit.js';\nconsole.log(fit());\n");
  project.write('lib/fit.ts', "import { rate } from './rate.js';\nexport const fit = () => rate * 2;\n");
  project.write('lib/rate.ts', 'export const rate = 0.1;\n');
  project.write('lib/unused.ts', 'export const unused = 1;\n');
});
afterEach(() => project.cleanup());

function pipelineWith(body: string): string {
  return `stages:\n  train:\n    cmd: ${project.stage('--write model.txt=1')}\n${body}`;
}

describe('deps that follow the code', () => {
  it('follows imports, literal dynamic imports and new URL(…, import.meta.url) references, and nothing else', () => {
    project.write(
      'lib/fit.ts',
      "import { rate } from './rate.js';\nexport const fit = async () => (await import('./lazy.js')).x * rate;\nnew Worker(new URL(process.env.BUILT ? './worker.js' : './worker.ts', import.meta.url));\nconst k = new URL('./kernel.wasm', import.meta.url);\nconst built = new URL('./worker.js', import.meta.url);\n",
    );
    project.write('lib/lazy.ts', 'export const x = 1;\n');
    project.write('lib/worker.ts', "import { rate } from './rate.js';\nimport { other } from './worker-only.js';\nconsole.log(rate, other);\n");
    project.write('lib/worker-only.ts', 'export const other = 2;\n');
    project.write('lib/kernel.wasm', '\0asm');
    expect(followImports(project.dir, 'stages/train.ts')).toEqual(['lib/fit.ts', 'lib/kernel.wasm', 'lib/lazy.ts', 'lib/rate.ts', 'lib/worker-only.ts', 'lib/worker.ts', 'stages/train.ts']);
  });

  it('an edit to a file the program does not import reruns nothing; an edit to one it imports reruns it', async () => {
    project.pipeline(pipelineWith('    program: stages/train.ts\n'));
    expect((await project.run(['run'])).code).toBe(0);
    expect(project.takeStarted()).toEqual(['train']);
    const memo = path.join(project.dir, 'cache/state/program-imports.json');
    const followed = fs.statSync(memo).mtimeMs;

    project.write('lib/unused.ts', 'export const unused = 2;\n');
    expect((await project.run(['run'])).code).toBe(0);
    expect(project.takeStarted()).toEqual([]);
    // The no-op answered from the memo: the imports were not followed again.
    expect(fs.statSync(memo).mtimeMs).toBe(followed);

    project.write('lib/rate.ts', 'export const rate = 0.2;\n');
    const status = await project.run(['status']);
    expect(status.stdout).toContain('dep lib/rate.ts changed');
    expect((await project.run(['run'])).code).toBe(0);
    expect(project.takeStarted()).toEqual(['train']);
  });

  it('a new import becomes a dep, a dropped one stops being one', async () => {
    project.pipeline(pipelineWith('    program: stages/train.ts\n'));
    await project.run(['run']);
    project.takeStarted();
    project.write('lib/fit.ts', "import { unused } from './unused.js';\nexport const fit = () => unused;\n");
    expect((await project.run(['run'])).code).toBe(0);
    expect(project.takeStarted()).toEqual(['train']);
    const lock = project.read('pipeline.lock');
    expect(lock).toContain('lib/unused.ts');
    expect(lock).not.toContain('lib/rate.ts');
    project.write('lib/rate.ts', 'export const rate = 0.3;\n');
    expect((await project.run(['run'])).code).toBe(0);
    expect(project.takeStarted()).toEqual([]);
  });

  it('program and deps together: what the program reads at run time stays listed', async () => {
    project.write('assets/font.ttf', 'font v1');
    project.pipeline(pipelineWith('    program: stages/train.ts\n    deps: [assets/font.ttf]\n'));
    await project.run(['run']);
    project.takeStarted();
    project.write('assets/font.ttf', 'font v2');
    expect((await project.run(['run'])).code).toBe(0);
    expect(project.takeStarted()).toEqual(['train']);
  });

  it.each([
    ['a missing program', '    program: stages/nope.ts\n', 'pipeline.yaml:4:14: stages.train.program: program "stages/nope.ts" does not exist'],
    ['a program outside the project', '    program: ../elsewhere.ts\n', 'pipeline.yaml:4:14: stages.train.program: program "../elsewhere.ts" is outside the project'],
    ['a program that is not code esbuild reads', '    program: train.py\n', 'pipeline.yaml:4:14: stages.train.program: program "train.py" is not a JavaScript or TypeScript file'],
  ])('%s: exit 2, naming the line', async (_what, body, message) => {
    project.pipeline(pipelineWith(body));
    const result = await project.run(['status']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });

  it('an import that does not resolve: exit 2, naming the program and the importing file and line', async () => {
    project.write('lib/fit.ts', "import { gone } from './gone.js';\nexport const fit = () => gone;\n");
    project.pipeline(pipelineWith('    program: stages/train.ts\n'));
    const result = await project.run(['run']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('pipeline.yaml:4:14: stages.train.program: program "stages/train.ts" has imports that cannot be followed: lib/fit.ts:1:22: Could not resolve "./gone.js"');
    expect(project.takeStarted()).toEqual([]);
  });
});

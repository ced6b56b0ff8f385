// The lint rules guard the architecture: a boundary crossed or an import cycle is reported (npm test runs `npm run lint`).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { afterAll, describe, expect, it } from 'vitest';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const config = path.join(repo, 'eslint.config.js');

async function messagesFor(cwd: string, file: string, text: string): Promise<string[]> {
  const eslint = new ESLint({ cwd, overrideConfigFile: config });
  const [result] = await eslint.lintText(text, { filePath: path.join(cwd, file) });
  return result.messages.map((message) => `${message.ruleId}: ${message.message}`);
}

describe('the lint rules', () => {
  it.each([
    ['src/engine/x.ts', "import { ComputeError } from '../ml/compute-error.js';", 'knows nothing about ML'],
    ['src/engine/x.ts', "import { ArtifactError } from '../artifacts/errors.js';", 'knows nothing about ML or its artifacts'],
    ['src/ml/x.ts', "import { ReportError } from '../report/errors.js';", 'src/ml and src/report never import each other'],
    ['src/report/x.ts', "import { ComputeError } from '../ml/compute-error.js';", 'src/ml and src/report never import each other'],
    ['stages/x.ts', "import { ExitCode } from '../src/engine/errors.js';", 'only through its PIPELINE_* environment'],
  ])('%s may not %s', async (file, line, why) => {
    const messages = await messagesFor(repo, file, `${line}\nexport const used = [${line.match(/\{ (\w+) \}/)![1]}];\n`);
    expect(messages.join('\n')).toContain(why);
  });

  it('the room a module belongs to may import what the design allows', async () => {
    expect(
      await messagesFor(
        repo,
        'stages/x.ts',
        "import { ComputeError } from '../src/ml/compute-error.js';\nimport { ReportError } from '../src/report/errors.js';\nexport const both = [ComputeError, ReportError];\n",
      ),
    ).toEqual([]);
    expect(await messagesFor(repo, 'src/engine/x.ts', "import { TypedError } from '../typed-error.js';\nexport const base = TypedError;\n")).toEqual([]);
  });

  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'linpath-lint-'));
  afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

  it('reports an import cycle', async () => {
    fs.writeFileSync(path.join(scratch, 'a.ts'), "import { b } from './b.js';\nexport const a = () => b;\n");
    fs.writeFileSync(path.join(scratch, 'b.ts'), "import { a } from './a.js';\nexport const b = () => a;\n");
    const messages = await messagesFor(scratch, 'a.ts', fs.readFileSync(path.join(scratch, 'a.ts'), 'utf8'));
    expect(messages.join('\n')).toContain('import-x/no-cycle');
  });
});

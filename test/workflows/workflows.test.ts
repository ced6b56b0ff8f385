// The GitHub workflows call the CLI as it is: every `pipeline` command and option they use exists, and the
// CPU workflow runs the README's test command (.ci/run). A renamed flag fails here, not on a GPU runner at 3 a.m.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = path.resolve(import.meta.dirname, '../..');
const workflowDir = path.join(root, '.github/workflows');

interface Workflow {
  jobs: Record<string, { steps: Array<{ run?: string; uses?: string }> }>;
}

function workflows(): Array<{ file: string; workflow: Workflow }> {
  return readdirSync(workflowDir)
    .filter((file) => file.endsWith('.yml'))
    .map((file) => ({ file, workflow: parse(readFileSync(path.join(workflowDir, file), 'utf8')) as Workflow }));
}

/** Each `npx pipeline …` invocation in a shell script: the subcommand and the long options it passes. */
export function pipelineCalls(script: string): Array<{ command: string; options: string[] }> {
  return [...script.matchAll(/npx pipeline((?:\s+[^\s&|;]+)*)/g)].map((match) => {
    const words = match[1]!.trim().split(/\s+/);
    const command = words.find((word) => !word.startsWith('-'))!;
    return { command, options: words.filter((word) => word.startsWith('--')).map((word) => word.split('=')[0]!) };
  });
}

const help = new Map<string, string>();
/** `pipeline [command] --help`; no command: the global options. */
function helpOf(command?: string): string {
  const key = command ?? '';
  if (!help.has(key)) help.set(key, execFileSync(process.execPath, [path.join(root, 'bin/pipeline.js'), ...(command ? [command] : []), '--help'], { encoding: 'utf8' }));
  return help.get(key)!;
}

describe('GitHub workflows', () => {
  it('finds the pipeline calls in a step script', () => {
    expect(pipelineCalls('npx pipeline --plain verify --backend "$B" $S && git diff')).toEqual([{ command: 'verify', options: ['--plain', '--backend'] }]);
  });

  it('use only commands and options the CLI has', () => {
    const globalOptions = helpOf();
    const calls = workflows().flatMap(({ file, workflow }) =>
      Object.values(workflow.jobs).flatMap((job) => job.steps.flatMap((step) => pipelineCalls(step.run ?? '').map((call) => ({ file, ...call })))),
    );
    expect(calls.length).toBeGreaterThan(0);
    for (const call of calls) {
      const text = helpOf(call.command);
      // commander answers an unknown command's --help with the global help: make sure this is the command's own.
      expect(text.split('\n')[0], `${call.file}: pipeline ${call.command}`).toMatch(new RegExp(`^Usage: pipeline ${call.command} `));
      for (const option of call.options) expect(`${text}\n${globalOptions}`, `${call.file}: pipeline ${call.command} ${option}`).toContain(option);
    }
  });

  it('the CPU workflow runs the README test command', () => {
    const test = workflows().find(({ file }) => file === 'test.yml')!.workflow;
    const scripts = Object.values(test.jobs).flatMap((job) => job.steps.map((step) => step.run ?? ''));
    expect(scripts).toContain('bash .ci/run');
    expect(readFileSync(path.join(root, '.ci/run'), 'utf8')).toContain('npm ci && npm test');
  });
});

// A test rig: a throwaway project directory with its own pipeline.yaml, and the real CLI run against it.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const cli = path.join(repo, 'bin/pipeline.js');
export const fakeStage = path.join(repo, 'test/engine/fixtures/fake-stage.mjs');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface Recorded {
  name: string;
  event: 'start' | 'end';
  started: number;
  ended?: number;
  cuda?: string;
  pid: number;
  out?: string;
  scratch?: string;
  params?: Record<string, unknown>;
  inputs: Record<string, string>;
  cwd: string;
}

export class Project {
  readonly dir: string;
  readonly record: string;
  /** What cleanup() removes: the project dir, or the fresh dir it was made in. */
  private readonly owned: string;

  /** `name` makes the project `<fresh temp dir>/<name>`, e.g. a name with spaces. */
  constructor(name?: string) {
    this.owned = fs.mkdtempSync(path.join(os.tmpdir(), 'linpath-test-'));
    this.dir = name === undefined ? this.owned : path.join(this.owned, name);
    fs.mkdirSync(this.dir, { recursive: true });
    this.record = path.join(this.dir, 'record.jsonl');
  }

  /** The directory the project lives in when it was given a name (nothing else should appear there). */
  get parent(): string {
    return this.owned;
  }

  /** A command line running the fake stage, recording into this project's record file. */
  stage(extra = ''): string {
    return `node ${fakeStage} --record ${this.record} ${extra}`.trim();
  }

  /**
   * A stage made of shell built-ins and `date`: it starts in milliseconds even on a loaded machine,
   * so timing tests measure the scheduler rather than Node's start-up.
   */
  shellStage(seconds: number): string {
    const line = (event: string) => `printf '{"event":"${event}","name":"%s","cuda":"%s","at":%s}\\n' "$PIPELINE_STAGE" "$CUDA_VISIBLE_DEVICES" "$(date +%s%3N)" >> ${this.record}`;
    return `${line('start')}; sleep ${seconds}; ${line('end')}`;
  }

  write(relative: string, text: string): string {
    const file = path.join(this.dir, relative);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    return file;
  }

  read(relative: string): string {
    return fs.readFileSync(path.join(this.dir, relative), 'utf8');
  }

  pipeline(yaml: string): void {
    this.write('pipeline.yaml', yaml);
  }

  run(args: string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
    return new Promise((resolve) => {
      execFile(process.execPath, [cli, ...args], { cwd: this.dir, env: { ...process.env, CI: 'true', ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      });
    });
  }

  spawn(args: string[], env: Record<string, string> = {}): ChildProcess & { output: () => string; exited: Promise<number | null> } {
    const child = spawn(process.execPath, [cli, ...args], { cwd: this.dir, env: { ...process.env, CI: 'true', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout!.on('data', (chunk) => (output += chunk));
    child.stderr!.on('data', (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    return Object.assign(child, { output: () => output, exited });
  }

  /** Every record the fake stages wrote, in order. */
  recorded(): Recorded[] {
    if (!fs.existsSync(this.record)) return [];
    return fs
      .readFileSync(this.record, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Recorded);
  }

  /** Names of the stages that started, in order; clears the record for the next step of a test. */
  takeStarted(): string[] {
    const names = this.recorded()
      .filter((entry) => entry.event === 'start')
      .map((entry) => entry.name);
    fs.rmSync(this.record, { force: true });
    return names;
  }

  entries(): string[] {
    const dir = path.join(this.dir, 'cache/entries');
    return fs.existsSync(dir) ? fs.readdirSync(dir) : [];
  }

  cleanup(): void {
    fs.rmSync(this.owned, { recursive: true, force: true });
  }
}

export async function waitFor(check: () => boolean, timeoutMs = 20_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** True while the process runs; a zombie (dead, not yet reaped, as under a PID 1 that does not reap) counts as dead. */
export function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

// The `pipeline` program as installed: its bin file runs as a program, with the node flags its first line gives.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const bin = path.join(repo, 'bin/pipeline.js');

describe('bin/pipeline.js', () => {
  it('starts node with a young generation of 2 × 4 MB (the scale bench peak RSS)', () => {
    expect(fs.readFileSync(bin, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env -S node --max-semi-space-size=4');
  });

  it('runs as a program, through its first line', () => {
    const probe = path.join(repo, 'test/engine/fixtures/print-exec-argv.mjs');
    const result = spawnSync(bin, ['--help'], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: `--import=${probe}` } });
    expect(result.status).toBe(0);
    expect(result.stderr).toContain('execArgv ["--max-semi-space-size=4"]');
  });
});

// A remote that misbehaves (fails midway, wrong bytes, 5xx, 401, slow, absent): one line, the stage computes, no half entry.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Project } from '../rig.js';
import { cacheState, cloneOf, makeProject, ran, remoteLines } from './fixture.js';
import { startFaultServer, type Fault, type FaultServer } from './servers/fault-server.js';
import { freePort } from './servers/nginx.js';

const made: Project[] = [];
const servers: FaultServer[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const project of made.splice(0)) project.cleanup();
  for (const server of servers.splice(0)) await server.stop();
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A project that computed and pushed to a directory, and a fresh clone of it; the fault server serves that directory. */
async function filledRemote(fault: Fault) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linpath-fault-remote-'));
  dirs.push(dir);
  const first = makeProject();
  made.push(first);
  expect((await first.run(['run', '--remote', dir])).code).toBe(0);
  const clone = cloneOf(first);
  made.push(clone);
  const server = await startFaultServer(dir, fault);
  servers.push(server);
  return { first, clone, server };
}

const env = { PIPELINE_REMOTE_TIMEOUT: '1' };

describe('a remote that fails', () => {
  it.each([
    ['midway', /blob [0-9a-f]{12} \([^)]+\) is truncated: the transfer broke after \d+ of \d+ bytes/],
    ['wrong-bytes', /blob [0-9a-f]{12} \([^)]+\): its bytes do not hash to its name/],
    ['server-error', /GET records\/[0-9a-f]{64}\.json answered 503 Service Unavailable/],
    ['auth', /answered 401 Unauthorized \(set PIPELINE_REMOTE_TOKEN, or PIPELINE_REMOTE_USER and PIPELINE_REMOTE_PASSWORD\)/],
    ['slow', /no answer for 1 s \(GET blobs\/sha256\/.*\)/],
  ] as const)('%s: one line, the stages compute locally, the cache holds no half entry; --remote-required fails', async (fault, message) => {
    const { first, clone, server } = await filledRemote(fault);
    const required = await clone.run(['run', '--remote', server.url, '--remote-required', '--no-push'], env);
    expect(required.code, required.stderr).toBe(1);
    expect(required.stderr).toMatch(message);
    expect(ran(clone)).toEqual([]);
    expect(cacheState(clone)).toEqual({ tmp: [], entries: [] });

    const result = await clone.run(['run', '--remote', server.url, '--no-push'], env);
    expect(result.code, result.stderr).toBe(0);
    expect(ran(clone)).toContain('gen');
    const lines = remoteLines(result.stderr);
    expect(lines[0]).toMatch(message);
    expect(lines[0]).toMatch(/; gen computes locally/);
    // A remote that is down is said once; a bad blob costs only its own entry (use's entry then is fetched or computed).
    expect(lines.length).toBeLessThanOrEqual(2);
    expect(cacheState(clone)).toEqual({ tmp: [], entries: cacheState(first).entries });
    expect((await clone.run(['fsck'])).code).toBe(0);
  });

  it('a kept-alive connection the server closed is retried on another: everything is fetched, nothing said', async () => {
    const { clone, server } = await filledRemote('drop-reused');
    const result = await clone.run(['run', '--remote', server.url, '--no-push']);
    expect(result.code, result.stderr).toBe(0);
    expect(ran(clone)).toEqual([]);
    expect(
      result.stderr.split('\n').filter((line) => line.startsWith('remote ')),
      result.stderr,
    ).toEqual([]);
    expect(result.stderr).toMatch(/^fetched +gen /m);
    // Some requests really did meet a dropped connection (a second request on one socket).
    expect(server.seen.length).toBeGreaterThan(4);
  });

  it('absent: connection refused is one line and the stages compute', async () => {
    const project = makeProject();
    made.push(project);
    const url = `http://127.0.0.1:${await freePort()}/cache/`;
    const result = await project.run(['run', '--remote', url]);
    expect(result.code, result.stderr).toBe(0);
    expect(ran(project)).toEqual(['gen', 'use']);
    expect(remoteLines(result.stderr)).toEqual([`remote ${url}: ECONNREFUSED; gen computes locally, and this run uses the remote no more`]);
    fs.rmSync(path.join(project.dir, 'cache/entries'), { recursive: true });
    const pull = await project.run(['pull', '--remote', url]);
    expect(pull.code).toBe(1);
    expect(pull.stdout.split('\n').filter((line) => line.includes('ECONNREFUSED'))).toHaveLength(1);
    expect(pull.stdout).toContain('2 failed');
  });

  it('a token from the environment is sent, and written nowhere', async () => {
    const { clone, server } = await filledRemote('auth');
    const result = await clone.run(['run', '--remote', server.url], { PIPELINE_REMOTE_TOKEN: server.token });
    expect(result.code, result.stderr).toBe(0);
    expect(ran(clone)).toEqual([]);
    expect(server.seen.every((request) => request.authorization === `Bearer ${server.token}`)).toBe(true);
    const written = [result.stdout, result.stderr, clone.read('pipeline.lock')];
    const walk = (dir: string): string[] =>
      fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? walk(path.join(dir, entry.name)) : entry.isFile() ? [path.join(dir, entry.name)] : []));
    for (const file of walk(path.join(clone.dir, 'cache'))) written.push(fs.readFileSync(file, 'latin1'));
    for (const text of written) expect(text).not.toContain(server.token);

    const basic = await clone.run(['pull', '--remote', server.url], { PIPELINE_REMOTE_USER: 'alice', PIPELINE_REMOTE_PASSWORD: 'hunter2' });
    expect(basic.stdout).toContain('already in cache/');
    expect(basic.stdout + basic.stderr).not.toContain('hunter2');
  });
});

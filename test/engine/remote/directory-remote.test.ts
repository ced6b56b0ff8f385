// The directory remote (a shared file system), driven through the CLI: two clones sharing one remote dir.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DirectoryRemote } from '../../../src/engine/remote/directory-remote.js';
import { Project } from '../rig.js';
import { cacheState, cloneOf, makeProject, ran, remoteLines } from './fixture.js';
import { Readable } from 'node:stream';
import { createHash } from 'node:crypto';

const made: Project[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const project of made.splice(0)) project.cleanup();
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function tracked<T extends Project>(project: T): T {
  made.push(project);
  return project;
}

function remoteDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linpath-remote-'));
  dirs.push(dir);
  return dir;
}

describe('directory remote', () => {
  it('a second clone gets what the first computed, without computing, and publishes it', async () => {
    const shared = remoteDir();
    const first = tracked(makeProject());
    const computed = await first.run(['run', '--remote', shared]);
    expect(computed.code, computed.stderr).toBe(0);
    expect(ran(first)).toEqual(['gen', 'use']);
    expect(computed.stderr).toContain('pushed 2 entries');
    expect(fs.readdirSync(path.join(shared, 'records'))).toHaveLength(2);

    const second = tracked(cloneOf(first));
    const status = await second.run(['status', '--remote', shared]);
    expect(status.stdout).toMatch(/^remote {4}gen /m);
    expect(status.stdout).toContain('2 stage(s) only on the remote');

    const dry = await second.run(['run', '-n', '--remote', shared]);
    expect(dry.stderr).toMatch(/^would fetch gen /m);
    expect(dry.stderr).toMatch(/^would fetch use /m);
    expect(cacheState(second).entries).toEqual([]);

    const fetched = await second.run(['run', '--remote', shared]);
    expect(fetched.code, fetched.stderr).toBe(0);
    expect(ran(second)).toEqual([]);
    expect(fetched.stderr).toMatch(/^fetched +gen /m);
    expect(second.read('reports/count.txt')).toBe(first.read('reports/count.txt'));
    expect(second.read('pipeline.lock')).toBe(first.read('pipeline.lock'));
    const genEntry = second.entries().find((key) => fs.existsSync(path.join(second.dir, 'cache/entries', key, 'out/sub')))!;
    expect(fs.readlinkSync(path.join(second.dir, 'cache/entries', genEntry, 'out/link'))).toBe('sub/x.txt');
    // Entries are committed like computed ones: read-only, no staging left behind.
    expect(cacheState(second)).toEqual({ tmp: [], entries: cacheState(first).entries });
    const fsck = await second.run(['fsck']);
    expect(fsck.code, fsck.stdout).toBe(0);

    const again = await second.run(['run', '--remote', shared]);
    expect(again.stderr).toContain('0 ran, 2 fresh');
  });

  it('pull fetches what the lock names, in parallel, then run finds everything fresh', async () => {
    const shared = remoteDir();
    const first = tracked(makeProject());
    expect((await first.run(['run'])).code).toBe(0);
    const pushed = await first.run(['push', '--remote', shared]);
    expect(pushed.code, pushed.stdout + pushed.stderr).toBe(0);
    expect(pushed.stdout).toMatch(/pushed 2 entries/);
    expect((await first.run(['push', '--remote', shared])).stdout).toMatch(/pushed 0 entries .*2 already on/);

    const second = tracked(cloneOf(first));
    const pulled = await second.run(['pull', 'use'], { PIPELINE_REMOTE: shared });
    expect(pulled.code, pulled.stdout + pulled.stderr).toBe(0);
    expect(pulled.stdout).toMatch(/^pulled +use /m);
    expect(pulled.stdout).toMatch(/published +use → reports/m);
    expect(second.entries()).toHaveLength(1);
    expect((await second.run(['pull'], { PIPELINE_REMOTE: shared })).stdout).toMatch(/pulled 1 entry .*1 already in cache/);
    const run = await second.run(['run']);
    expect(run.stderr).toContain('0 ran, 2 fresh');
    expect(ran(second)).toEqual([]);
  });

  it('the flag wins over PIPELINE_REMOTE, which wins over cache.remote in pipeline.yaml', async () => {
    const filled = remoteDir();
    const empty = remoteDir();
    const first = tracked(makeProject());
    expect((await first.run(['run', '--remote', filled])).code).toBe(0);
    // pipeline.yaml names the empty remote (relative to the file); the environment the filled one.
    const second = tracked(cloneOf(first));
    const relative = path.relative(second.dir, empty);
    second.write('pipeline.yaml', `cache: { remote: ${relative} }\n${second.read('pipeline.yaml')}`);
    fs.rmSync(path.join(second.dir, 'pipeline.lock'));
    const viaEnv = await second.run(['run', '--no-push'], { PIPELINE_REMOTE: filled });
    expect(ran(second)).toEqual([]);
    expect(viaEnv.stderr).toMatch(/^fetched +use/m);

    const third = tracked(cloneOf(first));
    await third.run(['run', '--remote', filled, '--no-push'], { PIPELINE_REMOTE: path.join(empty, 'absent') });
    expect(ran(third)).toEqual([]);

    // With only the file's (empty) remote, the stages compute and are pushed there.
    const fourth = tracked(cloneOf(first));
    fourth.write('pipeline.yaml', second.read('pipeline.yaml').replace(relative, path.relative(fourth.dir, empty)));
    const computed = await fourth.run(['run']);
    expect(ran(fourth)).toEqual(['gen', 'use']);
    expect(computed.stderr).toContain(`pushed 2 entries to remote ${empty}`);
  });

  it('--no-fetch computes, --no-push leaves the remote alone', async () => {
    const shared = remoteDir();
    const first = tracked(makeProject());
    await first.run(['run', '--remote', shared, '--no-push']);
    expect(fs.existsSync(path.join(shared, 'records'))).toBe(false);
    await first.run(['push', '--remote', shared]);
    const second = tracked(cloneOf(first));
    await second.run(['run', '--remote', shared, '--no-fetch']);
    expect(ran(second)).toEqual(['gen', 'use']);
  });

  it('a missing remote directory is one line and the stages compute; --remote-required makes it fail', async () => {
    const absent = path.join(remoteDir(), 'not-mounted');
    const project = tracked(makeProject());
    const required = await project.run(['run', '--remote', absent, '--remote-required']);
    expect(required.code).toBe(1);
    expect(required.stderr).toContain(`remote ${absent}: no such directory`);
    expect(cacheState(project).entries).toEqual([]);
    expect(cacheState(project).tmp).toEqual([]);

    const result = await project.run(['run', '--remote', absent, '--no-push']);
    expect(result.code, result.stderr).toBe(0);
    expect(ran(project)).toEqual(['gen', 'use']);
    expect(remoteLines(result.stderr)).toEqual([`remote ${absent}: no such directory (is the shared file system mounted?); gen computes locally, and this run uses the remote no more`]);
  });

  it('bad remote settings are usage errors (exit 2) naming what is wrong, never echoing credentials', async () => {
    const project = tracked(makeProject());
    const scheme = await project.run(['run', '--remote', 'ftp://example.org/cache']);
    expect(scheme.code).toBe(2);
    expect(scheme.stderr).toContain('--remote: unsupported remote scheme ftp:');
    const secret = await project.run(['pull', '--remote', 'https://alice:hunter2@example.org/cache']);
    expect(secret.code).toBe(2);
    expect(secret.stderr).toContain('PIPELINE_REMOTE_TOKEN');
    expect(secret.stderr + secret.stdout).not.toContain('hunter2');
    const none = await project.run(['push']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('pipeline push: no remote; give --remote URL, set PIPELINE_REMOTE');
    const required = await project.run(['run', '--remote-required']);
    expect(required.code).toBe(2);
    project.write('pipeline.yaml', `cache: { remote: 12 }\n${project.read('pipeline.yaml')}`);
    const typed = await project.run(['run']);
    expect(typed.code).toBe(2);
    expect(typed.stderr).toMatch(/pipeline\.yaml:1:\d+: cache\.remote/);
  });

  it('a forged record (consistent, other bytes) is fetched, but changes pipeline.lock and fails verify', async () => {
    const shared = remoteDir();
    const first = tracked(makeProject());
    expect((await first.run(['run', '--remote', shared])).code).toBe(0);
    // Whoever can write records replaces gen's output with other bytes, under the same key.
    const lock = first.read('pipeline.lock');
    const genKey = /^ {2}gen:\n {4}key: ([0-9a-f]{64})$/m.exec(lock)![1];
    const recordFile = path.join(shared, 'records', `${genKey}.json`);
    const record = JSON.parse(fs.readFileSync(recordFile, 'utf8'));
    const forged = Buffer.from('not what seq prints\n');
    const sha = createHash('sha256').update(forged).digest('hex');
    await new DirectoryRemote(shared).putBlob(sha, forged.length, () => Readable.from([forged]));
    const big = record.manifest.files.find((file: { path: string }) => file.path === 'big.txt');
    Object.assign(big, { size: forged.length, sha256: sha });
    const { outputHash } = await import('../../../src/engine/cache/manifest.js');
    record.manifest.output_hash = record.run.output_hash = outputHash(record.manifest.files, record.manifest.links);
    record.manifest.bytes = record.manifest.files.reduce((sum: number, file: { size: number }) => sum + file.size, 0);
    fs.rmSync(recordFile);
    fs.writeFileSync(recordFile, JSON.stringify(record));

    const second = tracked(cloneOf(first));
    const fetched = await second.run(['run', '--remote', shared, '--no-push']);
    expect(fetched.code, fetched.stderr).toBe(0);
    expect(fetched.stderr).toMatch(/^fetched +gen /m);
    // The lock records the output hash it got, so `git diff pipeline.lock` shows the claim.
    expect(second.read('pipeline.lock')).not.toBe(lock);
    expect(second.read('pipeline.lock')).toContain(record.manifest.output_hash);
    // verify reruns gen without cache or remote: the bytes it makes are not the ones the lock now names.
    const verify = await second.run(['verify', 'gen']);
    expect(verify.code, verify.stdout + verify.stderr).toBe(1);
    expect((await first.run(['verify', 'gen'])).code).toBe(0);
  });

  it('a run downloads the locked entries it lacks ahead, but commits only those whose key its inputs still give', async () => {
    const shared = remoteDir();
    const first = tracked(makeProject());
    expect((await first.run(['run', '--remote', shared])).code).toBe(0);
    const second = tracked(cloneOf(first));
    const changed = await second.run(['run', '-S', 'lines=1000', '--remote', shared, '--no-push']);
    expect(changed.code, changed.stderr).toBe(0);
    expect(ran(second)).toEqual(['gen', 'use']);
    const computed = cacheState(second);
    expect(computed.tmp).toEqual([]);
    expect(computed.entries).toHaveLength(2);
    expect(computed.entries.some((key) => cacheState(first).entries.includes(key))).toBe(false);
  });

  it('two writers of the same blob at once leave one whole copy', async () => {
    const remote = new DirectoryRemote(remoteDir());
    const bytes = Buffer.alloc(4 << 20, 7);
    const hash = createHash('sha256').update(bytes).digest('hex');
    await Promise.all(Array.from({ length: 12 }, () => remote.putBlob(hash, bytes.length, () => Readable.from([bytes.subarray(0, 1 << 20), bytes.subarray(1 << 20)]))));
    const blob = await remote.openBlob(hash);
    const chunks: Buffer[] = [];
    for await (const chunk of blob!.stream) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).equals(bytes)).toBe(true);
    expect(fs.readdirSync(path.join(remote.root, 'tmp'))).toEqual([]);
  });
});

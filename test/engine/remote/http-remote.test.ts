// The HTTP remote against a real nginx (Debian's, WebDAV module) on 127.0.0.1: clones sharing it, MKCOL, no requests when nothing is stale.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HttpRemote } from '../../../src/engine/remote/http-remote.js';
import { Project } from '../rig.js';
import { cacheState, cloneOf, makeProject, ran } from './fixture.js';
import { nginxBinary, startNginx, type Nginx } from './servers/nginx.js';

const haveNginx = fs.existsSync(nginxBinary);
if (!haveNginx) console.warn(`skipping the nginx remote tests: ${nginxBinary} is missing (scripts/test-setup.sh installs Debian's nginx)`);

describe.skipIf(!haveNginx)('HTTP remote (nginx with WebDAV)', () => {
  let nginx: Nginx;
  const made: Project[] = [];
  beforeAll(async () => {
    nginx = await startNginx();
  });
  afterAll(async () => {
    await nginx?.stop();
  });
  afterEach(() => {
    for (const project of made.splice(0)) project.cleanup();
  });
  const tracked = (project: Project) => (made.push(project), project);

  it.each([
    ['with create_full_put_path', () => nginx.url],
    ['making collections with MKCOL', () => nginx.strictUrl],
  ])('a fresh clone runs from the remote %s: nothing computed, same lock and reports', async (_how, url) => {
    const first = tracked(makeProject());
    const computed = await first.run(['run', '--remote', url()]);
    expect(computed.code, computed.stderr).toBe(0);
    expect(computed.stderr).toContain('pushed 2 entries');

    const second = tracked(cloneOf(first));
    const fetched = await second.run(['run'], { PIPELINE_REMOTE: url() });
    expect(fetched.code, fetched.stderr).toBe(0);
    expect(ran(second)).toEqual([]);
    expect(fetched.stderr).toMatch(/^fetched +gen .*every file verified/m);
    expect(second.read('pipeline.lock')).toBe(first.read('pipeline.lock'));
    expect(second.read('reports/count.txt')).toBe('300000\n');
    expect(cacheState(second)).toEqual({ tmp: [], entries: cacheState(first).entries });
    expect((await second.run(['fsck'])).code).toBe(0);
  });

  it("over HTTPS: a clone trusting the server's certificate fetches; one that does not gets one line and computes", async () => {
    const first = tracked(makeProject());
    const trusted = { NODE_EXTRA_CA_CERTS: nginx.certificate };
    const pushed = await first.run(['run', '-S', 'lines=5000', '--remote', nginx.httpsUrl], trusted);
    expect(pushed.stderr).toContain('pushed 2 entries');
    const second = tracked(cloneOf(first));
    const fetched = await second.run(['run', '-S', 'lines=5000', '--remote', nginx.httpsUrl], trusted);
    expect(fetched.code, fetched.stderr).toBe(0);
    expect(ran(second)).toEqual([]);
    const third = tracked(cloneOf(first));
    const untrusted = await third.run(['run', '-S', 'lines=5000', '--remote', nginx.httpsUrl, '--no-push']);
    expect(ran(third)).toEqual(['gen', 'use']);
    expect(untrusted.stderr).toMatch(
      /^remote https:\/\/127\.0\.0\.1:\d+\/cache\/: its TLS certificate is not trusted \((SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT); NODE_EXTRA_CA_CERTS adds a CA\); gen computes locally/m,
    );
  });

  it('a no-op run with a remote configured makes no request', async () => {
    const project = tracked(makeProject(`cache: { remote: "${nginx.url}" }\n`));
    expect((await project.run(['run'])).code).toBe(0);
    const before = nginx.requests();
    const noop = await project.run(['run']);
    expect(noop.stderr).toContain('0 ran, 2 fresh');
    const status = await project.run(['status']);
    expect(status.stdout).toContain('everything is fresh');
    expect(nginx.requests()).toBe(before);
  });

  it('status names the stages only the remote has; pull brings them, publishes, and leaves nothing half-written', async () => {
    const first = tracked(makeProject());
    await first.run(['run', '-S', 'lines=1000', '--remote', nginx.url]);
    const second = tracked(cloneOf(first));
    const status = await second.run(['status', '-S', 'lines=1000', '--remote', nginx.url]);
    expect(status.stdout).toMatch(/^remote {4}gen /m);
    expect(status.stdout).toMatch(/^remote {4}use /m);
    const pulled = await second.run(['pull', '--remote', nginx.url]);
    expect(pulled.code, pulled.stdout).toBe(0);
    expect(pulled.stdout).toMatch(/pulled 2 entries/);
    expect(second.read('reports/count.txt')).toBe('1000\n');
    expect(cacheState(second).tmp).toEqual([]);
  });

  it('two clones pushing the same entries at once both succeed and the remote holds them whole', async () => {
    const first = tracked(makeProject());
    await first.run(['run', '-S', 'lines=200000']);
    const second = tracked(cloneOf(first));
    await second.run(['run', '-S', 'lines=200000']);
    const pushes = await Promise.all([first, second].map((project) => project.run(['push', '--remote', nginx.url])));
    for (const push of pushes) expect(push.code, push.stdout).toBe(0);
    const third = tracked(cloneOf(first));
    const pulled = await third.run(['pull', '--remote', nginx.url]);
    expect(pulled.code, pulled.stdout).toBe(0);
    expect((await third.run(['fsck'])).code).toBe(0);
  });

  it('streams a large blob both ways, byte for byte, and concurrent PUTs of it leave one whole copy', async () => {
    const remote = new HttpRemote(new URL(nginx.url), { timeoutMs: 10_000, connections: 4 });
    try {
      const chunk = Buffer.alloc(1 << 20);
      for (let i = 0; i < chunk.length; i += 4) chunk.writeUInt32LE((i * 2654435761) >>> 0, i);
      const chunks = 40;
      const hash = createHash('sha256');
      for (let i = 0; i < chunks; i++) hash.update(chunk);
      const sha = hash.digest('hex');
      const source = () =>
        Readable.from(
          (function* () {
            for (let i = 0; i < chunks; i++) yield chunk;
          })(),
        );
      await Promise.all([1, 2, 3].map(() => remote.putBlob(sha, chunk.length * chunks, source)));
      expect(await remote.hasBlob(sha)).toBe(true);
      const blob = await remote.openBlob(sha);
      expect(blob!.size).toBe(chunk.length * chunks);
      const back = createHash('sha256');
      for await (const piece of blob!.stream) back.update(piece as Buffer);
      expect(back.digest('hex')).toBe(sha);
      expect(await remote.openBlob('0'.repeat(64))).toBeUndefined();
    } finally {
      remote.close();
    }
  });
});

// downloadVerified against a loopback server: servers that ignore Range, a part file that is already whole, HTTP errors.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { downloadVerified } from '../../../../src/ml/datasets/fetch/download.js';

const body = Buffer.from(Array.from({ length: 50_000 }, (_, i) => (i * 7919) % 256));
const md5 = createHash('md5').update(body).digest('hex');
let server: Server;
let base: string;
let work: string;
let honourRange = true;
const seen: { url: string; range?: string }[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    seen.push({ url: request.url ?? '', range: request.headers.range });
    if (request.url !== '/file') {
      response.writeHead(404).end('gone');
      return;
    }
    const start = Number(/^bytes=(\d+)-$/.exec(request.headers.range ?? '')?.[1] ?? 0);
    if (honourRange && start >= body.length) {
      response.writeHead(416, { 'content-range': `bytes */${body.length}` }).end();
    } else if (honourRange && start > 0) {
      response.writeHead(206, { 'content-length': body.length - start, 'content-range': `bytes ${start}-${body.length - 1}/${body.length}` }).end(body.subarray(start));
    } else {
      response.writeHead(200, { 'content-length': body.length }).end(body);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'linpath-download-'));
  honourRange = true;
  seen.length = 0;
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('downloadVerified', () => {
  it('starts over when the server ignores the Range header', async () => {
    honourRange = false;
    const dest = path.join(work, 'f.bin');
    await writeFile(`${dest}.part`, body.subarray(0, 1000));
    await downloadVerified({ url: `${base}/file`, dest, md5 });
    expect(seen.map((s) => s.range)).toEqual(['bytes=1000-']);
    expect((await readFile(dest)).equals(body)).toBe(true);
    expect(existsSync(`${dest}.part`)).toBe(false);
  });

  it('accepts a part file that is already complete (416) and reuses a finished download without a request', async () => {
    const dest = path.join(work, 'f.bin');
    await writeFile(`${dest}.part`, body);
    await downloadVerified({ url: `${base}/file`, dest, md5 });
    expect((await readFile(dest)).equals(body)).toBe(true);
    await downloadVerified({ url: `${base}/file`, dest, md5 });
    expect(seen).toHaveLength(1);
  });

  it('replaces a finished download whose checksum no longer matches', async () => {
    const dest = path.join(work, 'f.bin');
    await writeFile(dest, 'stale');
    await downloadVerified({ url: `${base}/file`, dest, md5 });
    expect((await readFile(dest)).equals(body)).toBe(true);
  });

  it('reports HTTP errors and unreachable servers with the URL', async () => {
    const dest = path.join(work, 'f.bin');
    await expect(downloadVerified({ url: `${base}/missing`, dest, md5 })).rejects.toMatchObject({ reason: 'download-failed', message: expect.stringMatching(/\/missing: HTTP 404/) });
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    await expect(downloadVerified({ url: `http://127.0.0.1:${port}/file`, dest, md5 })).rejects.toMatchObject({
      reason: 'download-failed',
      message: expect.stringMatching(new RegExp(`127\\.0\\.0\\.1:${port}/file: ECONNREFUSED`)),
    });
  });
});

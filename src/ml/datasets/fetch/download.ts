// A resumable, checksum-verified HTTP download: bytes go to DEST.part (continued with a Range request), DEST appears only when its MD5 matches.
import { createWriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { hashFile } from './hash-file.js';
import { DataError } from '../errors.js';

export interface DownloadOptions {
  url: string;
  dest: string;
  md5: string;
  log?: (line: string) => void;
}

/** Ensures `dest` holds the file at `url` with the given MD5, reusing a complete earlier download and resuming a partial one. */
export async function downloadVerified(options: DownloadOptions): Promise<void> {
  const { url, dest, md5 } = options;
  const log = options.log ?? (() => {});
  if ((await sizeOf(dest)) !== undefined) {
    if ((await hashFile(dest, { algorithm: 'md5' })) === md5) return log(`using ${dest} (MD5 verified)`);
    await rm(dest, { force: true });
  }
  const part = `${dest}.part`;
  await fetchInto(url, part, log, true);
  const actual = await hashFile(part, { algorithm: 'md5' });
  if (actual !== md5) {
    await rm(part, { force: true });
    throw new DataError('checksum-mismatch', `${url}: downloaded file has MD5 ${actual}, expected ${md5} (discarded; rerun to download again)`);
  }
  await rename(part, dest);
  log(`downloaded ${url} → ${dest} (MD5 verified)`);
}

async function fetchInto(url: string, part: string, log: (line: string) => void, mayRetry: boolean): Promise<void> {
  const start = (await sizeOf(part)) ?? 0;
  let response: Response;
  try {
    // identity: fetch would otherwise transparently gunzip a .tar.gz served with Content-Encoding: gzip, breaking the MD5.
    const headers: Record<string, string> = { 'Accept-Encoding': 'identity', ...(start > 0 ? { Range: `bytes=${start}-` } : {}) };
    response = await fetch(url, { headers });
  } catch (cause) {
    throw new DataError('download-failed', `${url}: ${describe(cause)}`, { cause });
  }
  if (response.status === 416 && start > 0) {
    // The partial file already covers the whole resource (or is garbage): let the checksum decide, once.
    await response.body?.cancel();
    if (!mayRetry) throw new DataError('download-failed', `${url}: server refuses the range request`);
    return log(`${part} is already complete`);
  }
  const resumed = response.status === 206 && contentRangeStart(response) === start;
  if (!resumed && response.status !== 200) {
    await response.body?.cancel();
    if (response.status === 206 && mayRetry) {
      await rm(part, { force: true });
      return fetchInto(url, part, log, false);
    }
    throw new DataError('download-failed', `${url}: HTTP ${response.status} ${response.statusText}`);
  }
  const offset = resumed ? start : 0;
  const length = Number(response.headers.get('content-length') ?? NaN);
  const expected = Number.isFinite(length) ? offset + length : undefined;
  log(resumed ? `resuming ${url} at byte ${offset}` : `downloading ${url}${expected === undefined ? '' : ` (${expected} bytes)`}`);
  if (response.body === null) throw new DataError('download-failed', `${url}: empty response`);
  try {
    await pipeline(Readable.fromWeb(response.body as WebReadableStream<Uint8Array>), progress(offset, expected, log), createWriteStream(part, { flags: resumed ? 'a' : 'w' }));
  } catch (cause) {
    const got = (await sizeOf(part)) ?? 0;
    throw new DataError('download-truncated', `${url}: connection lost after ${got}${expected === undefined ? '' : ` of ${expected}`} bytes (${describe(cause)}); kept ${part}, rerun to resume`, {
      cause,
    });
  }
  const got = (await sizeOf(part)) ?? 0;
  if (expected !== undefined && got < expected) {
    throw new DataError('download-truncated', `${url}: got ${got} of ${expected} bytes; kept ${part}, rerun to resume`);
  }
}

/** Passes bytes through, logging each further tenth of the expected size (a 170 MB download should show it is alive). */
function progress(offset: number, expected: number | undefined, log: (line: string) => void): Transform {
  let received = offset;
  let nextTenth = expected === undefined ? Infinity : Math.floor((offset / expected) * 10) + 1;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      received += chunk.length;
      while (expected !== undefined && received >= (nextTenth * expected) / 10 && nextTenth <= 10) {
        log(`  ${nextTenth * 10}% (${received} of ${expected} bytes)`);
        nextTenth++;
      }
      done(null, chunk);
    },
  });
}

function contentRangeStart(response: Response): number | undefined {
  const match = /^bytes (\d+)-/.exec(response.headers.get('content-range') ?? '');
  return match ? Number(match[1]) : undefined;
}

async function sizeOf(file: string): Promise<number | undefined> {
  try {
    return (await stat(file)).size;
  } catch {
    return undefined;
  }
}

function describe(cause: unknown): string {
  const error = cause as Error & { cause?: { code?: string; message?: string } };
  return error.cause?.code ?? error.cause?.message ?? error.message ?? String(cause);
}

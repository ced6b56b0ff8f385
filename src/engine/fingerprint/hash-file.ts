// SHA-256 of a file read in 1 MiB chunks through one reused buffer: flat memory for any size, no worker thread.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { open } from 'node:fs/promises';

const chunk = 1 << 20;

/**
 * `expectedSize` (from a stat just taken) lets a small file be read in one synchronous call: most stage
 * outputs are a few bytes, and four thread-pool round trips per file were a large part of a cheap stage.
 */
export async function sha256File(file: string, expectedSize?: number): Promise<string> {
  const hash = createHash('sha256');
  if (expectedSize !== undefined && expectedSize < chunk) return hash.update(fs.readFileSync(file)).digest('hex');
  const buffer = Buffer.allocUnsafe(chunk);
  const handle = await open(file, 'r');
  try {
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, chunk, null);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
    }
  } finally {
    await handle.close();
  }
  return hash.digest('hex');
}

// SHA-256 of a file read in 1 MiB chunks through one reused buffer: flat memory for any size, no worker thread.
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';

const chunk = 1 << 20;

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
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

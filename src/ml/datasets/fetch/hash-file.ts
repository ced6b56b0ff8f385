// A file's hex digest, streamed through node:crypto: no worker thread (hasha's), so the stage also runs as one bundled file.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

export async function hashFile(file: string, options: { algorithm: 'md5' | 'sha256' }): Promise<string> {
  const hash = createHash(options.algorithm);
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

// Streams one blob from a remote into a file while hashing it: the file is kept only if size and SHA-256 match.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type { ManifestFile } from '../cache/manifest.js';
import { fromSystemError, RemoteError } from './errors.js';
import type { Remote } from './remote.js';

export async function downloadVerified(remote: Remote, file: ManifestFile, target: string): Promise<void> {
  const what = `remote ${remote.name}: blob ${file.sha256.slice(0, 12)} (${file.path})`;
  const blob = await remote.openBlob(file.sha256);
  if (!blob) throw new RemoteError('remote-bad-record', `${what} is named by a record but missing`);
  if (blob.size !== undefined && blob.size !== file.size) {
    blob.stream.destroy();
    throw new RemoteError('remote-corrupt-blob', `${what} has ${blob.size} bytes, expected ${file.size}`);
  }
  const hash = createHash('sha256');
  let bytes = 0;
  // Plain writes to a descriptor, no stream machinery per chunk: hashing is the cost that should show.
  const handle = await fs.promises.open(target, 'wx');
  try {
    for await (const chunk of blob.stream as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      if (bytes > file.size) throw new RemoteError('remote-corrupt-blob', `${what} has more than the expected ${file.size} bytes`);
      hash.update(chunk);
      for (let written = 0; written < chunk.length;) written += fs.writeSync(handle.fd, chunk, written);
    }
  } catch (error) {
    blob.stream.destroy();
    if (error instanceof RemoteError) throw error;
    // The server went away midway: the file is short, whatever the socket calls it.
    if (bytes < file.size) {
      throw new RemoteError(
        'remote-corrupt-blob',
        `${what} is truncated: the transfer broke after ${bytes} of ${file.size} bytes (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
        { cause: error },
      );
    }
    throw fromSystemError(what, error);
  } finally {
    await handle.close();
  }
  if (bytes !== file.size) throw new RemoteError('remote-corrupt-blob', `${what} is truncated: ${bytes} of ${file.size} bytes`);
  if (hash.digest('hex') !== file.sha256) throw new RemoteError('remote-corrupt-blob', `${what}: its bytes do not hash to its name`);
}

// The one way artifacts reach disk: under a temporary name, then renamed into place, so a reader never sees half a file.
import writeFileAtomicRaw from 'write-file-atomic';
import { ArtifactError } from './errors.js';

export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  try {
    await writeFileAtomicRaw(path, typeof data === 'string' ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  } catch (cause) {
    throw new ArtifactError('write-failed', path, `cannot write ${path}: ${(cause as Error).message}`, { cause });
  }
}

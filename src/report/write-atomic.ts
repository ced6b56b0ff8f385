// Writes a file under a temporary name and renames it into place (write-file-atomic), as a typed ReportError on failure.
import writeFileAtomicRaw from 'write-file-atomic';
import { ReportError } from './errors.js';

export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  try {
    await writeFileAtomicRaw(path, typeof data === 'string' ? data : Buffer.from(data));
  } catch (cause) {
    throw new ReportError('write-failed', `cannot write ${path}: ${(cause as Error).message}`, { cause });
  }
}

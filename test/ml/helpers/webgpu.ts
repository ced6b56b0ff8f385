// The webgpu backend for a test file, on Mesa llvmpipe here: undefined, with the reason printed, where no adapter exists
// (scripts/test-setup.sh installs Mesa's EGL/GLES), so the file's tests skip instead of failing.
import { selectBackend, type BackendChoice } from '../../../src/ml/backend/select.js';

export async function webgpuForTests(what: string): Promise<BackendChoice | undefined> {
  return selectBackend({ forced: 'webgpu' }).catch((error: Error) => {
    console.warn(`${what} skipped: ${error.message}`);
    return undefined;
  });
}

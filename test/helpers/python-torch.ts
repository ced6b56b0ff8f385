// Debian's Python with PyTorch, the independent peer some tests compare against; when it is missing they skip and say why.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** /usr/bin/python3 when present: a pyenv or venv python3 first on PATH usually lacks Debian's python3-torch. */
export const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

/** Whether `python` imports torch; if not, one warning naming what skips and how to get it. */
export function torchAvailable(what: string): boolean {
  const available = spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
  if (!available) console.warn(`skipping ${what}: ${python} cannot import torch (apt-get install -y python3-torch; scripts/test-setup.sh does it as root)`);
  return available;
}

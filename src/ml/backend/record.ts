// Records the chosen backend where the runner asked for it (PIPELINE_INFO), written atomically.
import { renameSync, writeFileSync } from 'node:fs';
import type { BackendChoice } from './select.js';

export function recordBackend(choice: BackendChoice, env: NodeJS.ProcessEnv = process.env): void {
  const target = env.PIPELINE_INFO;
  if (!target) return;
  const temp = `${target}.tmp-${process.pid}`;
  writeFileSync(temp, `${JSON.stringify({ backend: choice.backend, device: choice.device })}\n`);
  renameSync(temp, target);
}

// Records the chosen backend where the runner asked for it (PIPELINE_INFO), written atomically: backend, device, and for webgpu the adapter and leased GPU.
import { renameSync, writeFileSync } from 'node:fs';
import type { BackendChoice } from './select.js';

/** PIPELINE_INFO is a flat object of strings and numbers (docs/stage-interface.md). */
export function backendInfo(choice: BackendChoice): Record<string, string> {
  const info: Record<string, string> = { backend: choice.backend, device: choice.device };
  if (choice.adapter) {
    info.adapter_vendor = choice.adapter.vendor;
    info.adapter_device = choice.adapter.device;
    info.adapter_description = choice.adapter.description;
  }
  if (choice.gpu) {
    info.gpu_index = choice.gpu.index;
    info.gpu_uuid = choice.gpu.uuid;
    info.gpu_bus_id = choice.gpu.bus_id;
  }
  return info;
}

export function recordBackend(choice: BackendChoice, env: NodeJS.ProcessEnv = process.env): void {
  const target = env.PIPELINE_INFO;
  if (!target) return;
  const temp = `${target}.tmp-${process.pid}`;
  writeFileSync(temp, `${JSON.stringify(backendInfo(choice))}\n`);
  renameSync(temp, target);
}

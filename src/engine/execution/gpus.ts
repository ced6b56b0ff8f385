// Which GPU ids this run may lease: --gpus, else CUDA_VISIBLE_DEVICES, else nvidia-smi, else none.
import { execFileSync } from 'node:child_process';
import { PipelineError } from '../errors.js';

export type GpuOption = string | undefined; // "0,1" | "auto" | "none" | undefined (= auto)

function parseList(text: string, origin: string): string[] {
  const ids = text
    .split(',')
    .map((id) => id.trim())
    .filter((id) => id !== '');
  if (ids.some((id) => id === '-1')) return [];
  const duplicate = ids.find((id, index) => ids.indexOf(id) !== index);
  if (duplicate !== undefined) throw new PipelineError('bad-usage', `${origin}: GPU id ${duplicate} is listed twice`);
  return ids;
}

export interface GpuDiscovery {
  ids: string[];
  source: string;
}

export function discoverGpus(option: GpuOption, environment: NodeJS.ProcessEnv = process.env, nvidiaSmi = 'nvidia-smi'): GpuDiscovery {
  if (option !== undefined && option !== 'auto') {
    if (option === 'none') return { ids: [], source: '--gpus none' };
    if (!/^[\w-]+(,[\w-]+)*$/.test(option)) throw new PipelineError('bad-usage', `--gpus ${option}: expected a comma-separated list of ids, "auto" or "none"`);
    return { ids: parseList(option, '--gpus'), source: '--gpus' };
  }
  const visible = environment.CUDA_VISIBLE_DEVICES;
  if (visible !== undefined) return { ids: parseList(visible, 'CUDA_VISIBLE_DEVICES'), source: 'CUDA_VISIBLE_DEVICES' };
  try {
    const output = execFileSync(nvidiaSmi, ['--query-gpu=index', '--format=csv,noheader'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 });
    return { ids: parseList(output.split('\n').join(','), 'nvidia-smi'), source: 'nvidia-smi' };
  } catch {
    return { ids: [], source: 'no GPU found (no --gpus, no CUDA_VISIBLE_DEVICES, no nvidia-smi)' };
  }
}

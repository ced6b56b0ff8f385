// Puts Dawn on the GPU the runner leased: CUDA_VISIBLE_DEVICES → nvidia-smi's PCI bus id → Mesa's Vulkan device-select layer.
//
// Dawn enumerates every Vulkan device and does not read CUDA_VISIBLE_DEVICES, and identical GPUs have identical names, so
// its `adapter=` flag cannot tell them apart. Mesa's implicit layer VK_LAYER_MESA_device_select can: with
// DRI_PRIME=pci-DDDD_BB_DD_F it puts the device on that PCI bus first, and MESA_VK_DEVICE_SELECT_FORCE_DEFAULT_DEVICE=1
// hides the others. It works with any Vulkan driver that reports VK_EXT_pci_bus_info (NVIDIA's does).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export interface NvidiaGpu {
  index: string;
  uuid: string;
  /** As nvidia-smi prints it: 00000000:19:00.0 */
  busId: string;
}

export type Placement =
  /** Nothing to place: no GPU leased, or only one GPU on the machine. */
  | { kind: 'not-needed'; gpu?: NvidiaGpu }
  /** Environment that pins Vulkan to the leased GPU; set it before Dawn creates its instance. */
  | { kind: 'pinned'; gpu: NvidiaGpu; env: Record<string, string> }
  /** The leased GPU cannot be honoured; say why, once. */
  | { kind: 'unpinned'; problem: string };

/** Parses `nvidia-smi --query-gpu=index,uuid,pci.bus_id --format=csv,noheader`. */
export function parseNvidiaSmiGpus(csv: string): NvidiaGpu[] {
  return csv
    .split('\n')
    .map((line) => line.split(',').map((field) => field.trim()))
    .filter((fields) => fields.length === 3 && fields[0] !== '')
    .map(([index, uuid, busId]) => ({ index, uuid, busId }));
}

/** nvidia-smi's 00000000:19:00.0 (or 0000:19:00.0) as the device-select layer's tag, pci-0000_19_00_0; undefined if malformed. */
export function driPrimeTag(busId: string): string | undefined {
  const match = /^(?:[0-9a-f]*?)([0-9a-f]{1,4}):([0-9a-f]{2}):([0-9a-f]{2})\.([0-7])$/i.exec(busId.trim());
  if (!match) return undefined;
  const [, domain, bus, device, fn] = match;
  return `pci-${domain.padStart(4, '0').toLowerCase()}_${bus.toLowerCase()}_${device.toLowerCase()}_${fn}`;
}

/** Where the Vulkan loader looks for implicit layers (Debian's and the XDG defaults). */
export function implicitLayerDirs(env: NodeJS.ProcessEnv): string[] {
  const data = (env.XDG_DATA_DIRS || '/usr/local/share:/usr/share').split(':').filter(Boolean);
  const config = (env.XDG_CONFIG_DIRS || '/etc/xdg').split(':').filter(Boolean);
  return [...config, '/etc', ...data, env.HOME ? join(env.HOME, '.local/share') : ''].filter(Boolean).map((dir) => join(dir, 'vulkan/implicit_layer.d'));
}

export interface PlacementProbe {
  /** nvidia-smi's CSV, or undefined when it is missing or fails. */
  nvidiaSmi(): string | undefined;
  /** Whether VK_LAYER_MESA_device_select is installed where the loader finds it. */
  deviceSelectLayer(): boolean;
}

/**
 * Decides how to put this process on its leased GPU. The runner leases nvidia-smi indices (or the user names UUIDs)
 * in CUDA_VISIBLE_DEVICES; the first one is ours. Pure given the probe, so every case is tested with fakes.
 */
export function placeOnLeasedGpu(env: NodeJS.ProcessEnv, probe: PlacementProbe): Placement {
  const leased = (env.CUDA_VISIBLE_DEVICES ?? '')
    .split(',')
    .map((id) => id.trim())
    .filter(Boolean)[0];
  if (leased === undefined || leased === '-1') return { kind: 'not-needed' };
  if (env.DRI_PRIME || env.MESA_VK_DEVICE_SELECT) {
    return { kind: 'unpinned', problem: `DRI_PRIME or MESA_VK_DEVICE_SELECT is already set by the user; left as is, leased GPU ${leased} not enforced` };
  }
  if (leased.startsWith('MIG-')) return { kind: 'unpinned', problem: `leased ${leased} is a MIG instance, which Vulkan cannot address; WebGPU sees the whole GPU` };
  const csv = probe.nvidiaSmi();
  if (csv === undefined) return { kind: 'unpinned', problem: `leased GPU ${leased}, but nvidia-smi did not answer, so its PCI bus is unknown; Dawn takes the first adapter` };
  const gpus = parseNvidiaSmiGpus(csv);
  const gpu = gpus.find((candidate) => candidate.index === leased || candidate.uuid === leased || candidate.uuid === `GPU-${leased}`);
  if (gpu === undefined) {
    return { kind: 'unpinned', problem: `leased GPU ${leased} is not among nvidia-smi's GPUs (${gpus.map((g) => g.index).join(', ') || 'none'}); Dawn takes the first adapter` };
  }
  if (gpus.length === 1) return { kind: 'not-needed', gpu };
  const tag = driPrimeTag(gpu.busId);
  if (tag === undefined) return { kind: 'unpinned', problem: `nvidia-smi gave GPU ${leased} the unreadable PCI bus id "${gpu.busId}"; Dawn takes the first adapter` };
  if (!probe.deviceSelectLayer()) {
    return {
      kind: 'unpinned',
      problem: `leased GPU ${leased} of ${gpus.length}, but Mesa's Vulkan device-select layer (VkLayer_MESA_device_select.json, Debian: mesa-vulkan-drivers) is not installed, so Dawn takes the first adapter, which may be another stage's GPU`,
    };
  }
  return { kind: 'pinned', gpu, env: { DRI_PRIME: tag, MESA_VK_DEVICE_SELECT_FORCE_DEFAULT_DEVICE: '1' } };
}

/** The real probe: nvidia-smi on PATH, the layer's manifest in the loader's implicit-layer directories. */
export function systemPlacementProbe(env: NodeJS.ProcessEnv = process.env): PlacementProbe {
  return {
    nvidiaSmi() {
      try {
        // CUDA_VISIBLE_DEVICES does not filter nvidia-smi: it lists every GPU with the indices the runner leased.
        return execFileSync('nvidia-smi', ['--query-gpu=index,uuid,pci.bus_id', '--format=csv,noheader'], { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore'] });
      } catch {
        return undefined;
      }
    },
    deviceSelectLayer() {
      return implicitLayerDirs(env).some((dir) => existsSync(join(dir, 'VkLayer_MESA_device_select.json')));
    },
  };
}

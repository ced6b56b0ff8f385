// Chooses the compute backend at run time: tensorflow-gpu → webgpu → tensorflow → wasm → cpu, or the one forced by --backend / PIPELINE_BACKEND.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import { ComputeError } from '../compute-error.js';
import { registerWasmKernels } from '../kernels/register.js';
import type { AdapterDescription } from './webgpu/adapter-info.js';

export const backendNames = ['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof backendNames)[number];

export interface BackendChoice {
  backend: BackendName;
  device: string;
  /** webgpu only: the adapter it computes on, and which leased GPU that is. */
  adapter?: AdapterDescription;
  gpu?: { index: string; uuid: string; bus_id: string };
}

/** Backends that compute on a GPU: they want big batches and no host-side shortcuts. */
export function isGpuBackend(name: string): boolean {
  return name === 'tensorflow-gpu' || name === 'webgpu';
}

export function isBackendName(value: string): value is BackendName {
  return (backendNames as readonly string[]).includes(value);
}

function gpuVisible(env: NodeJS.ProcessEnv): boolean {
  const visible = env.CUDA_VISIBLE_DEVICES;
  if (visible !== undefined) return visible.trim() !== '' && visible.trim() !== '-1';
  return existsSync('/dev/nvidia0');
}

const nativePackages = { 'tensorflow-gpu': '@tensorflow/tfjs-node-gpu', tensorflow: '@tensorflow/tfjs-node' } as const;

/** Whether a package is installed, without importing it (a failed native import leaves kernels registered). */
function installed(pkg: string): boolean {
  try {
    createRequire(import.meta.url).resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

// The package name goes through a variable so TypeScript does not require the optional package to exist.
async function importOptional(name: string): Promise<void> {
  await import(name);
}

async function tryNative(name: 'tensorflow-gpu' | 'tensorflow'): Promise<BackendChoice> {
  const pkg = nativePackages[name];
  await importOptional(pkg);
  if (!(await tf.setBackend('tensorflow'))) throw new Error(`${pkg} imported but its backend did not initialise`);
  return { backend: name, device: name === 'tensorflow-gpu' ? 'gpu' : 'cpu' };
}

async function tryWasm(): Promise<BackendChoice> {
  await import('@tensorflow/tfjs-backend-wasm');
  registerWasmKernels();
  if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend did not initialise');
  return { backend: 'wasm', device: 'cpu' };
}

/**
 * webgpu on the leased GPU. Unforced, only a real GPU adapter counts; forced (`--backend webgpu`), a software one
 * (Mesa llvmpipe through OpenGL ES) is taken when no GPU answers, which is how the tests run it.
 */
async function tryWebgpu(forced: boolean, env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<BackendChoice> {
  // Loaded here: a stage on a CPU backend never needs the webgpu code.
  const [{ placeOnLeasedGpu, systemPlacementProbe }, { findAdapter }, { adapterLabel }, { registerWebgpuBackend }, { registerWebgpuKernels }] = await Promise.all([
    import('./webgpu/placement.js'),
    import('./webgpu/adapter.js'),
    import('./webgpu/adapter-info.js'),
    import('./webgpu/register.js'),
    import('../kernels/webgpu/register.js'),
  ]);
  const placement = placeOnLeasedGpu(env, systemPlacementProbe(env));
  // The device-select layer reads these when Dawn creates its Vulkan instance: they must be in this process's environment.
  if (placement.kind === 'pinned') Object.assign(process.env, placement.env);
  if (placement.kind === 'unpinned') log(`warning: ${placement.problem}`);
  const found = await findAdapter({ allowSoftware: forced, env });
  await registerWebgpuBackend(found);
  registerWebgpuKernels();
  if (!(await tf.setBackend('webgpu'))) throw new Error(`the webgpu backend did not initialise on ${adapterLabel(found.description)}`);
  const gpu = placement.kind === 'unpinned' ? undefined : placement.gpu;
  return {
    backend: 'webgpu',
    device: adapterLabel(found.description),
    adapter: found.description,
    ...(gpu ? { gpu: { index: gpu.index, uuid: gpu.uuid, bus_id: gpu.busId } } : {}),
  };
}

async function tryCpu(): Promise<BackendChoice> {
  await import('@tensorflow/tfjs-backend-cpu');
  if (!(await tf.setBackend('cpu'))) throw new Error('the cpu backend did not initialise');
  return { backend: 'cpu', device: 'cpu' };
}

function attempt(name: BackendName, forced: boolean, env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<BackendChoice> {
  if (name === 'webgpu') return tryWebgpu(forced, env, log);
  if (name === 'wasm') return tryWasm();
  if (name === 'cpu') return tryCpu();
  return tryNative(name);
}

/**
 * Initialises one backend. A forced backend that fails is an error; otherwise the first that works wins.
 * Only one native package is ever imported: a failed native import has already registered its kernels.
 */
export async function selectBackend(options: { forced?: string; env?: NodeJS.ProcessEnv; log?: (line: string) => void } = {}): Promise<BackendChoice> {
  const env = options.env ?? process.env;
  const log = options.log ?? (() => {});
  tf.enableProdMode();
  const forced = options.forced ?? (env.PIPELINE_BACKEND || undefined);
  if (forced !== undefined) {
    if (!isBackendName(forced)) {
      throw new ComputeError('unknown-backend', `unknown backend "${forced}" (expected one of ${backendNames.join(', ')})`);
    }
    try {
      return await attempt(forced, true, env, log);
    } catch (cause) {
      throw new ComputeError('backend-unavailable', `backend ${forced} is not available here: ${(cause as Error).message}`, { cause });
    }
  }
  // One native package at most: the GPU build when a GPU is visible and it is installed, else the CPU build.
  // webgpu comes right after the native GPU build: it is the GPU path that installs from npm alone. Without a visible
  // GPU (a CPU-only stage sees CUDA_VISIBLE_DEVICES="") Dawn is not even loaded.
  const visible = gpuVisible(env);
  const gpuNative = visible && installed(nativePackages['tensorflow-gpu']);
  const order: BackendName[] = [...(gpuNative ? (['tensorflow-gpu'] as const) : []), ...(visible ? (['webgpu'] as const) : []), ...(gpuNative ? [] : (['tensorflow'] as const)), 'wasm', 'cpu'];
  const failures: string[] = [];
  for (const name of order) {
    try {
      return await attempt(name, false, env, log);
    } catch (cause) {
      failures.push(`${name}: ${(cause as Error).message.split('\n')[0]}`);
      log(`backend ${name} unavailable (${failures.at(-1)})`);
    }
  }
  throw new ComputeError('backend-unavailable', `no compute backend could be initialised (${failures.join('; ')})`);
}

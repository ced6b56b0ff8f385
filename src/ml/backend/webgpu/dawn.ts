// Loads Dawn (npm `webgpu`, or the dawn.node named by $DAWN_NODE in a bundle sent to a bare GPU box) and installs the WebGPU globals once.
import { createRequire } from 'node:module';

export interface DawnModule {
  create(flags: string[]): GPU;
  globals: Record<string, unknown>;
}

let loaded: DawnModule | undefined;

/** Dawn's Node binding; `$DAWN_NODE` wins so that an esbuild bundle can carry dawn.node beside it instead of node_modules. */
export async function loadDawn(env: NodeJS.ProcessEnv = process.env): Promise<DawnModule> {
  if (loaded) return loaded;
  const explicit = env.DAWN_NODE;
  const dawn: DawnModule = explicit ? (createRequire(import.meta.url)(explicit) as DawnModule) : ((await import('webgpu')) as unknown as DawnModule);
  // tfjs-backend-webgpu reads GPUBufferUsage, GPUMapMode … from the global scope, as in a browser.
  Object.assign(globalThis, dawn.globals);
  loaded = dawn;
  return dawn;
}

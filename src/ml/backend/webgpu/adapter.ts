// Finds a WebGPU adapter through Dawn: a real GPU over Vulkan, or, only when asked, Mesa's llvmpipe over OpenGL ES (tests, CI).
import { adapterLabel, describeAdapter, type AdapterDescription } from './adapter-info.js';
import { loadDawn } from './dawn.js';

export interface FoundAdapter {
  adapter: GPUAdapter;
  description: AdapterDescription;
  /** The GPU object the adapter came from: tfjs-backend-webgpu expects it as navigator.gpu. */
  gpu: GPU;
}

/** Extra Dawn flags from the environment, e.g. DAWN_FLAGS="enable-dawn-features=allow_unsafe_apis,disable_robustness". */
function userFlags(env: NodeJS.ProcessEnv): string[] {
  return (env.DAWN_FLAGS ?? '').split(/\s+/).filter(Boolean);
}

async function request(api: 'vulkan' | 'opengles', env: NodeJS.ProcessEnv): Promise<FoundAdapter | undefined> {
  const dawn = await loadDawn(env);
  const gpu = dawn.create([`backend=${api}`, ...userFlags(env)]);
  // Dawn's GLES backend offers only the compatibility feature level; Vulkan offers core.
  const options = api === 'opengles' ? ({ featureLevel: 'compatibility' } as GPURequestAdapterOptions) : { powerPreference: 'high-performance' as const };
  const adapter = await gpu.requestAdapter(options);
  if (!adapter) return undefined;
  const info = (adapter as GPUAdapter & { info?: GPUAdapterInfo }).info;
  const fallback = (adapter as GPUAdapter & { isFallbackAdapter?: boolean }).isFallbackAdapter === true;
  return { adapter, gpu, description: describeAdapter(info ?? {}, api, fallback) };
}

/**
 * A real GPU adapter, or with `allowSoftware` (a forced --backend webgpu) a software one when no GPU answers.
 * Throws with what was found, so the caller can say why webgpu was passed over.
 */
export async function findAdapter(options: { allowSoftware: boolean; env?: NodeJS.ProcessEnv }): Promise<FoundAdapter> {
  const env = options.env ?? process.env;
  const found: string[] = [];
  const vulkan = await request('vulkan', env);
  if (vulkan && !vulkan.description.software) return vulkan;
  if (vulkan) found.push(adapterLabel(vulkan.description));
  if (options.allowSoftware) {
    if (vulkan) return vulkan;
    // Mesa's EGL needs a platform without a display server; Dawn's GLES backend uses the default one otherwise.
    if (!process.env.EGL_PLATFORM) process.env.EGL_PLATFORM = 'surfaceless';
    const gles = await request('opengles', env);
    if (gles) return gles;
    found.push('no OpenGL ES adapter (Debian: libegl1 libegl-mesa0 libgles2 libgl1-mesa-dri)');
  }
  const seen = found.length > 0 ? found.join('; ') : "no Vulkan adapter (is the NVIDIA driver's Vulkan ICD installed, and libvulkan1?)";
  throw new Error(options.allowSoftware ? seen : `no GPU adapter: ${seen}; software adapters are used only with --backend webgpu`);
}

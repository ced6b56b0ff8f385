// What a WebGPU adapter is, in the words a user and the lock need: vendor, device, description, and whether it is a real GPU.
export interface AdapterDescription {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** Dawn's backend that serves it: vulkan on a GPU box, opengles on Mesa llvmpipe (tests). */
  api: 'vulkan' | 'opengles';
  /** A CPU rasteriser (llvmpipe, lavapipe, SwiftShader, softpipe) or a fallback adapter: never chosen unless forced. */
  software: boolean;
}

const softwareNames = /llvmpipe|lavapipe|softpipe|swiftshader|software rasterizer|microsoft basic render/i;

export function describeAdapter(
  info: { vendor?: string; architecture?: string; device?: string; description?: string },
  api: AdapterDescription['api'],
  isFallbackAdapter = false,
): AdapterDescription {
  const vendor = info.vendor ?? '';
  const architecture = info.architecture ?? '';
  const device = info.device ?? '';
  const description = info.description ?? '';
  const software = isFallbackAdapter || softwareNames.test(`${vendor} ${architecture} ${device} ${description}`);
  return { vendor, architecture, device, description, api, software };
}

/** One line for logs and the lock: "nvidia nvidia-h200 (vulkan)", "mesa llvmpipe (opengles, software)". */
export function adapterLabel(adapter: AdapterDescription): string {
  const name = [adapter.vendor, adapter.device || adapter.description || adapter.architecture].filter(Boolean).join(' ') || 'unknown adapter';
  return `${name} (${adapter.api}${adapter.software ? ', software' : ''})`;
}

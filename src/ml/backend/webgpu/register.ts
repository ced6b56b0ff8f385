// Makes tfjs's `webgpu` backend use the adapter we chose, instead of whatever navigator.gpu.requestAdapter() returns first.
import * as tf from '@tensorflow/tfjs';
import type { FoundAdapter } from './adapter.js';

/**
 * Registers a `webgpu` backend factory on `found`. Imports tfjs-backend-webgpu (which registers its kernels) while
 * navigator.gpu is still unset, so its own factory, which would ask Dawn for an adapter of its choosing, stays away.
 */
export async function registerWebgpuBackend(found: FoundAdapter): Promise<void> {
  const { WebGPUBackend } = await import('@tensorflow/tfjs-backend-webgpu');
  // The backend's constructor checks navigator.gpu, as in a browser; Node 20 has no navigator of its own.
  (globalThis as { navigator?: unknown }).navigator = { ...((globalThis as { navigator?: object }).navigator ?? {}), gpu: found.gpu };
  if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
  const { adapter } = found;
  const limits = adapter.limits;
  const requiredFeatures = (['timestamp-query'] as GPUFeatureName[]).filter((feature) => adapter.features.has(feature));
  // Created here rather than in the factory, so that a failure surfaces with its own message: tfjs's setBackend only
  // answers false (and prints nothing in production mode) when a factory throws.
  const device = await adapter.requestDevice({
    requiredFeatures,
    // The largest buffers and workgroups the adapter allows: tfjs sizes its programs by them.
    requiredLimits: {
      maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
      maxComputeWorkgroupsPerDimension: limits.maxComputeWorkgroupsPerDimension,
      maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
      maxBufferSize: limits.maxBufferSize,
      maxComputeWorkgroupSizeX: limits.maxComputeWorkgroupSizeX,
      maxComputeInvocationsPerWorkgroup: limits.maxComputeInvocationsPerWorkgroup,
    },
  });
  const backend = new WebGPUBackend(device, (adapter as GPUAdapter & { info?: GPUAdapterInfo }).info);
  tf.registerBackend('webgpu', () => backend, 3);
}

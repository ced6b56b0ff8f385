// Registers the compute core's wasm kernels (conv gradients, a sharing Identity), the fast matMul gradient and the dy-freeing
// Conv2D gradient (idempotent): wasm then trains conv nets, quickly and in less memory.
import * as tf from '@tensorflow/tfjs';
import { conv2dBackpropFilterWasm } from './conv2d-backprop-filter.js';
import { registerConv2DGradient } from './conv2d-gradient.js';
import { conv2dBackpropInputWasm } from './conv2d-backprop-input.js';
import { identityWasm } from './identity.js';
import { registerMatMulGradient } from './matmul-gradient.js';

const ours = [conv2dBackpropFilterWasm, conv2dBackpropInputWasm, identityWasm];

export function registerWasmKernels(): void {
  for (const config of ours) {
    const existing = tf.getKernel(config.kernelName, 'wasm');
    if (existing === config) continue;
    // Replacing wasm's own slow Conv2DBackpropInput and copying Identity: unregister first so tfjs does not warn about a duplicate.
    if (existing !== undefined) tf.unregisterKernel(config.kernelName, 'wasm');
    tf.registerKernel(config);
  }
  registerMatMulGradient();
  registerConv2DGradient();
}

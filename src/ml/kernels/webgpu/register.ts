// Registers what webgpu training needs beyond tfjs's own kernels (idempotent): the dy-freeing Conv2D gradient, a fast
// filter gradient, the optimizer's fused elementwise updates and training-mode BatchNorm in a few dispatches.
import * as tf from '@tensorflow/tfjs';
import { registerConv2DGradient } from '../conv2d-gradient.js';
import { registerConv2DBackpropFilterWebgpu } from './conv2d-backprop-filter.js';
import { batchNormTrainKernels } from './batch-norm-train.js';
import { sgdUpdateKernels } from './sgd-update.js';

export function registerWebgpuKernels(): void {
  registerConv2DGradient();
  registerConv2DBackpropFilterWebgpu();
  for (const config of [...sgdUpdateKernels, ...batchNormTrainKernels]) if (tf.getKernel(config.kernelName, 'webgpu') === undefined) tf.registerKernel(config);
}

// Registers what webgpu training needs beyond tfjs's own kernels (idempotent): the dy-freeing Conv2D gradient and a fast filter gradient.
import { registerConv2DGradient } from '../conv2d-gradient.js';
import { registerConv2DBackpropFilterWebgpu } from './conv2d-backprop-filter.js';

export function registerWebgpuKernels(): void {
  registerConv2DGradient();
  registerConv2DBackpropFilterWebgpu();
}

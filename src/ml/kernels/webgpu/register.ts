// Registers what webgpu training needs beyond tfjs's own kernels (idempotent): the dy-freeing Conv2D gradient.
import { registerConv2DGradient } from '../conv2d-gradient.js';

export function registerWebgpuKernels(): void {
  registerConv2DGradient();
}

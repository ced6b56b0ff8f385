// The optimizer's elementwise updates as single webgpu dispatches: tfjs would spend two to four kernels on each, per parameter tensor.
import type * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { sgdUpdateKernelNames as names } from '../../training/update-ops.js';
import { ElementwiseProgram } from './elementwise-program.js';

/** out[i] = `expression`, one dispatch over the whole tensor. */
function assign(variableNames: string[], uniforms: string, expression: string, shape: number[], key: string): ElementwiseProgram {
  return new ElementwiseProgram(variableNames, uniforms, `setOutputAtIndex(i, ${expression});`, shape, key);
}

type Inputs = Record<string, tf.TensorInfo>;
type Attrs = Record<string, number>;
const f32 = (value: number) => ({ type: 'float32', data: [value] });

/** d = momentum·v + (g + weightDecay·w), or without a velocity g + weightDecay·w: PyTorch's coupled L2 and momentum buffer. */
const direction: tf.KernelConfig = {
  kernelName: names.direction,
  backendName: 'webgpu',
  kernelFunc: ({ inputs, attrs, backend }) => {
    const { g, w, v } = inputs as Inputs;
    const { momentum, weightDecay } = attrs as unknown as Attrs;
    const webgpu = backend as unknown as WebGPUBackend;
    if (v) {
      const program = assign(['g', 'w', 'v'], 'momentum : f32, weightDecay : f32,', 'v[i] * uniforms.momentum + (g[i] + w[i] * uniforms.weightDecay)', g.shape, 'linpathSgdDirectionMomentum');
      return webgpu.runWebGPUProgram(program, [g, w, v], 'float32', [f32(momentum), f32(weightDecay)]);
    }
    const program = assign(['g', 'w'], 'weightDecay : f32,', 'g[i] + w[i] * uniforms.weightDecay', g.shape, 'linpathSgdDirection');
    return webgpu.runWebGPUProgram(program, [g, w], 'float32', [f32(weightDecay)]);
  },
};

/** w − lr·d. */
const apply: tf.KernelConfig = {
  kernelName: names.apply,
  backendName: 'webgpu',
  kernelFunc: ({ inputs, attrs, backend }) => {
    const { w, d } = inputs as Inputs;
    const program = assign(['w', 'd'], 'lr : f32,', 'w[i] - d[i] * uniforms.lr', w.shape, 'linpathSgdApply');
    return (backend as unknown as WebGPUBackend).runWebGPUProgram(program, [w, d], 'float32', [f32((attrs as unknown as Attrs).lr)]);
  },
};

/** r·keep + (s·scale)·blend: a BatchNorm running statistic after one batch. */
const movingAverage: tf.KernelConfig = {
  kernelName: names.movingAverage,
  backendName: 'webgpu',
  kernelFunc: ({ inputs, attrs, backend }) => {
    const { r, s } = inputs as Inputs;
    const { keep, scale, blend } = attrs as unknown as Attrs;
    const program = assign(['r', 's'], 'keep : f32, scale : f32, blend : f32,', 'r[i] * uniforms.keep + (s[i] * uniforms.scale) * uniforms.blend', r.shape, 'linpathMovingAverage');
    return (backend as unknown as WebGPUBackend).runWebGPUProgram(program, [r, s], 'float32', [f32(keep), f32(scale), f32(blend)]);
  },
};

export const sgdUpdateKernels = [direction, apply, movingAverage];

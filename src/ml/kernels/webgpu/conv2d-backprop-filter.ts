// A fast Conv2DBackpropFilter for tfjs's webgpu backend: a split-K implicit-im2col GEMM, then a sum of the splits.
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { planFilterGrad, type PlanOptions } from './conv2d-backprop-filter-plan.js';
import { Conv2DFilterGradGemmProgram, filterGradUniformNames } from './conv2d-backprop-filter-program.js';
import { SumSplitsProgram } from './sum-splits-program.js';

type Conv2DInfo = tf.backend_util.Conv2DInfo;

/** dW as a GEMM: filter rows (kh, kw, ci) × output channels, reduced over every output pixel of the batch. */
function gemmOf(info: Conv2DInfo): { m: number; n: number; k: number } {
  return {
    m: info.filterHeight * info.filterWidth * info.inChannels,
    n: info.outChannels,
    k: info.batchSize * info.outHeight * info.outWidth,
  };
}

/**
 * dW for x [batch, H, W, Ci] and dy [batch, Ho, Wo, Co] on `backend`. `options` overrides the plan (tests use it to
 * force several splits on small shapes).
 */
export function conv2DBackpropFilterWebgpu(backend: WebGPUBackend, x: tf.TensorInfo, dy: tf.TensorInfo, info: Conv2DInfo, options: PlanOptions = {}): tf.TensorInfo {
  if (info.dataFormat !== 'channelsLast') throw new Error('Conv2DBackpropFilter on webgpu (linpath kernel) supports NHWC (channelsLast) only');
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1) throw new Error('Conv2DBackpropFilter on webgpu (linpath kernel) supports dilation 1 only');
  if (x.dtype !== 'float32' || dy.dtype !== 'float32') throw new Error('Conv2DBackpropFilter on webgpu (linpath kernel) supports float32 only');
  const gemm = gemmOf(info);
  const plan = planFilterGrad(gemm, options);
  const values: Record<(typeof filterGradUniformNames)[number], number> = {
    gemmM: gemm.m,
    gemmN: gemm.n,
    gemmK: gemm.k,
    kPerSplit: plan.kPerSplit,
    kSteps: plan.kPerSplit / plan.tileK,
    inH: info.inHeight,
    inW: info.inWidth,
    inC: info.inChannels,
    outW: info.outWidth,
    outHW: info.outHeight * info.outWidth,
    filterW: info.filterWidth,
    strideH: info.strideHeight,
    strideW: info.strideWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
  const uniforms = filterGradUniformNames.map((name) => ({ type: 'int32', data: [values[name]] }));
  const filterShape = [info.filterHeight, info.filterWidth, info.inChannels, info.outChannels];
  // With one split the GEMM writes dW directly: its [1, M, N] layout is the filter's [kh, kw, ci, co].
  const gemmShape = plan.splits === 1 ? filterShape : [plan.splits, gemm.m, gemm.n];
  const partials = backend.runWebGPUProgram(new Conv2DFilterGradGemmProgram(gemmShape, plan, { ...gemm, inChannels: info.inChannels }), [x, dy], 'float32', uniforms);
  if (plan.splits === 1) return partials;
  const result = backend.runWebGPUProgram(new SumSplitsProgram(filterShape, plan.splits), [partials], 'float32');
  backend.disposeData(partials.dataId);
  return result;
}

const kernelFunc: tf.KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    tf.backend_util.convertConv2DDataFormat(dataFormat),
  );
  return conv2DBackpropFilterWebgpu(backend as WebGPUBackend, x, dy, info);
};

export const conv2DBackpropFilterWebgpuConfig: tf.KernelConfig = {
  kernelName: 'Conv2DBackpropFilter',
  backendName: 'webgpu',
  kernelFunc,
};

/** Replaces tfjs's own webgpu Conv2DBackpropFilter (a thread per filter element looping over the batch); idempotent. */
export function registerConv2DBackpropFilterWebgpu(): void {
  const current = tf.getKernel('Conv2DBackpropFilter', 'webgpu');
  if (current?.kernelFunc === kernelFunc) return;
  if (current) tf.unregisterKernel('Conv2DBackpropFilter', 'webgpu');
  tf.registerKernel(conv2DBackpropFilterWebgpuConfig);
}

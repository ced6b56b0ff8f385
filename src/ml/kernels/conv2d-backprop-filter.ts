// Conv2DBackpropFilter for wasm (which lacks it) as one forward conv: input channels become the batch, the output gradient becomes the filter, dilated by the stride.
import * as tf from '@tensorflow/tfjs';
import { callWasm, release } from './wasm-call.js';

export const conv2dBackpropFilterWasm: tf.KernelConfig = {
  kernelName: 'Conv2DBackpropFilter',
  backendName: 'wasm',
  kernelFunc: ({ inputs, attrs, backend }) => {
    const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
    const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
    if (dataFormat !== undefined && dataFormat !== 'NHWC') throw new Error('Conv2DBackpropFilter on wasm supports NHWC only');
    const info = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], filterShape, strides, 1, pad, dimRoundingMode);
    const { filterHeight, filterWidth, inHeight, inWidth, outHeight, outWidth, strideHeight, strideWidth } = info;
    const top = info.padInfo.top;
    const left = info.padInfo.left;
    // Padding that makes the dilated "filter" (the output gradient) sweep exactly filterHeight × filterWidth positions;
    // negative means trailing input rows/columns the forward conv never read, which are cropped instead.
    const bottom = filterHeight + (outHeight - 1) * strideHeight - inHeight - top;
    const right = filterWidth + (outWidth - 1) * strideWidth - inWidth - left;

    const owned: tf.TensorInfo[] = [];
    let input = x;
    if (bottom < 0 || right < 0) {
      input = callWasm(
        'Slice',
        backend,
        { x },
        {
          begin: [0, 0, 0, 0],
          size: [-1, inHeight + Math.min(bottom, 0), inWidth + Math.min(right, 0), -1],
        },
      );
      owned.push(input);
    }
    const channelsAsBatch = callWasm('Transpose', backend, { x: input }, { perm: [3, 1, 2, 0] });
    const gradientAsFilter = callWasm('Transpose', backend, { x: dy }, { perm: [1, 2, 0, 3] });
    owned.push(channelsAsBatch, gradientAsFilter);
    const raw = callWasm(
      'Conv2D',
      backend,
      { x: channelsAsBatch, filter: gradientAsFilter },
      {
        strides: [1, 1],
        dilations: [strideHeight, strideWidth],
        pad: [
          [0, 0],
          [top, Math.max(bottom, 0)],
          [left, Math.max(right, 0)],
          [0, 0],
        ],
        dataFormat: 'NHWC',
        dimRoundingMode: undefined,
      },
    );
    owned.push(raw);
    const result = callWasm('Transpose', backend, { x: raw }, { perm: [1, 2, 0, 3] });
    release(backend, ...owned);
    return result;
  },
};

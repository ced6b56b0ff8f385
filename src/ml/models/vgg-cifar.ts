// CIFAR VGGs as open_lth's cifar_vgg_11/13/16/19: 3×3 conv (with bias) + BN + ReLU, 2×2 max pools, 2×2 average pool, 512→10.
import * as tf from '@tensorflow/tfjs';
import { batchNorm, batchNormSpecs, conv, convBatchNorm, convSpecs, flatten, linear, linearSpecs } from './layers.js';
import type { ModelDef, TensorSpec } from './spec.js';

// open_lth's plans: widths of the 3×3 convs, 'M' a 2×2 max pool (the last pool is the average pool before fc).
const plans: Record<11 | 13 | 16 | 19, (number | 'M')[]> = {
  11: [64, 'M', 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512],
  13: [64, 64, 'M', 128, 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512],
  16: [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M', 512, 512, 512],
  19: [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 256, 'M', 512, 512, 512, 512, 'M', 512, 512, 512, 512],
};

export function vggCifar(inputShape: readonly [number, number, number] = [32, 32, 3], classes = 10, depth: 11 | 13 | 16 | 19 = 16, name = `vgg_${depth}`): ModelDef {
  const plan16 = plans[depth];
  const tensors: TensorSpec[] = [];
  let channels = inputShape[2];
  let layer = 0;
  for (const step of plan16) {
    if (step === 'M') continue;
    tensors.push(...convSpecs(`layers.${layer}.conv`, channels, step, 3, true), ...batchNormSpecs(`layers.${layer}.bn`, step));
    channels = step;
    layer++;
  }
  tensors.push(...linearSpecs('fc', channels, classes));
  return {
    name,
    inputShape,
    classes,
    tensors,
    stemTensors: ['layers.0.conv.weight', 'layers.0.conv.bias'],
    stem: (w, x) => conv(w, 'layers.0.conv', x, 1, 1),
    head: (w, h, bn) => {
      let x = batchNorm(w, 'layers.0.bn', h, bn, true);
      let index = 1;
      for (const step of plan16.slice(1)) {
        if (step === 'M') {
          x = tf.maxPool(x as tf.Tensor4D, 2, 2, 'valid');
          continue;
        }
        x = convBatchNorm(w, `layers.${index}.conv`, `layers.${index}.bn`, x, 1, 1, bn, true);
        index++;
      }
      x = tf.avgPool(x as tf.Tensor4D, 2, 2, 'valid');
      return linear(w, 'fc', flatten(x));
    },
  };
}

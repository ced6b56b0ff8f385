// ResNet-50 for ImageNet with torchvision's names and layout (stride on the 3×3 conv of each bottleneck).
import * as tf from '@tensorflow/tfjs';
import { batchNorm, batchNormSpecs, conv, convBatchNorm, convSpecs, globalAveragePool, linear, linearSpecs } from './layers.js';
import { residualRelu } from './residual-relu.js';
import type { BnContext, ModelDef, TensorSpec, Weights } from './spec.js';

interface Bottleneck {
  prefix: string;
  inChannels: number;
  width: number;
  stride: number;
}

const expansion = 4;

function bottlenecks(layers: number[]): Bottleneck[] {
  const result: Bottleneck[] = [];
  let inChannels = 64;
  layers.forEach((count, stage) => {
    const width = 64 * 2 ** stage;
    for (let i = 0; i < count; i++) {
      result.push({ prefix: `layer${stage + 1}.${i}`, inChannels, width, stride: stage > 0 && i === 0 ? 2 : 1 });
      inChannels = width * expansion;
    }
  });
  return result;
}

function bottleneckSpecs(b: Bottleneck): TensorSpec[] {
  const out = b.width * expansion;
  const specs = [
    ...convSpecs(`${b.prefix}.conv1`, b.inChannels, b.width, 1, false),
    ...batchNormSpecs(`${b.prefix}.bn1`, b.width),
    ...convSpecs(`${b.prefix}.conv2`, b.width, b.width, 3, false),
    ...batchNormSpecs(`${b.prefix}.bn2`, b.width),
    ...convSpecs(`${b.prefix}.conv3`, b.width, out, 1, false),
    ...batchNormSpecs(`${b.prefix}.bn3`, out),
  ];
  if (b.stride !== 1 || b.inChannels !== out) {
    specs.push(...convSpecs(`${b.prefix}.downsample.0`, b.inChannels, out, 1, false), ...batchNormSpecs(`${b.prefix}.downsample.1`, out));
  }
  return specs;
}

function bottleneck(w: Weights, b: Bottleneck, x: tf.Tensor, bn: BnContext): tf.Tensor {
  const p = b.prefix;
  let y = convBatchNorm(w, `${p}.conv1`, `${p}.bn1`, x, 1, 0, bn, true);
  y = convBatchNorm(w, `${p}.conv2`, `${p}.bn2`, y, b.stride, 1, bn, true);
  y = convBatchNorm(w, `${p}.conv3`, `${p}.bn3`, y, 1, 0, bn, false);
  const shortcut = w[`${p}.downsample.0.weight`] ? convBatchNorm(w, `${p}.downsample.0`, `${p}.downsample.1`, x, b.stride, 0, bn, false) : x;
  const sum = residualRelu(y, shortcut, bn);
  // Nothing reads the branch outputs after the sum (in training the residual op saves its own output), but the
  // caller's scope would hold them until the whole pass ends.
  tf.dispose(shortcut === x ? [y] : [y, shortcut]);
  return sum;
}

export function resnet50(inputShape: readonly [number, number, number] = [224, 224, 3], classes = 1000): ModelDef {
  const blocks = bottlenecks([3, 4, 6, 3]);
  return {
    name: 'resnet_50',
    inputShape,
    classes,
    tensors: [...convSpecs('conv1', inputShape[2], 64, 7, false), ...batchNormSpecs('bn1', 64), ...blocks.flatMap(bottleneckSpecs), ...linearSpecs('fc', 512 * expansion, classes)],
    stemTensors: ['conv1.weight'],
    stem: (w, x) => conv(w, 'conv1', x, 2, 3),
    head: (w, h, bn) => {
      let x = batchNorm(w, 'bn1', h, bn, true);
      x = tf.maxPool(x as tf.Tensor4D, 3, 2, 1);
      for (const b of blocks) x = bottleneck(w, b, x, bn);
      return linear(w, 'fc', globalAveragePool(x));
    },
  };
}

// CIFAR ResNets as open_lth's cifar_resnet_D[_W]: depth 6n+2, stages of W/2W/4W filters (W = 16), 1×1 conv + BN shortcut where the shape changes.
import * as tf from '@tensorflow/tfjs';
import { batchNorm, batchNormSpecs, conv, convBatchNorm, convSpecs, globalAveragePool, linear, linearSpecs } from './layers.js';
import { residualRelu } from './residual-relu.js';
import type { BnContext, ModelDef, TensorSpec, Weights } from './spec.js';

interface Block {
  prefix: string;
  inChannels: number;
  outChannels: number;
  stride: number;
}

function blocksOf(depth: number, widths: number[]): Block[] {
  const perStage = (depth - 2) / 6;
  const blocks: Block[] = [];
  let inChannels = widths[0];
  widths.forEach((width, stage) => {
    for (let i = 0; i < perStage; i++) {
      blocks.push({ prefix: `blocks.${blocks.length}`, inChannels, outChannels: width, stride: stage > 0 && i === 0 ? 2 : 1 });
      inChannels = width;
    }
  });
  return blocks;
}

function blockSpecs(b: Block): TensorSpec[] {
  const specs = [
    ...convSpecs(`${b.prefix}.conv1`, b.inChannels, b.outChannels, 3, false),
    ...batchNormSpecs(`${b.prefix}.bn1`, b.outChannels),
    ...convSpecs(`${b.prefix}.conv2`, b.outChannels, b.outChannels, 3, false),
    ...batchNormSpecs(`${b.prefix}.bn2`, b.outChannels),
  ];
  if (b.stride !== 1 || b.inChannels !== b.outChannels) {
    specs.push(...convSpecs(`${b.prefix}.shortcut.0`, b.inChannels, b.outChannels, 1, false), ...batchNormSpecs(`${b.prefix}.shortcut.1`, b.outChannels));
  }
  return specs;
}

function block(w: Weights, b: Block, x: tf.Tensor, bn: BnContext): tf.Tensor {
  const a = convBatchNorm(w, `${b.prefix}.conv1`, `${b.prefix}.bn1`, x, b.stride, 1, bn, true);
  const out = convBatchNorm(w, `${b.prefix}.conv2`, `${b.prefix}.bn2`, a, 1, 1, bn, false);
  const shortcut = w[`${b.prefix}.shortcut.0.weight`] ? convBatchNorm(w, `${b.prefix}.shortcut.0`, `${b.prefix}.shortcut.1`, x, b.stride, 0, bn, false) : x;
  const sum = residualRelu(out, shortcut, bn);
  // Nothing reads the branch outputs after the sum (in training the residual op saves its own output), but the
  // caller's scope would hold them until the whole pass ends.
  tf.dispose(shortcut === x ? [out] : [out, shortcut]);
  return sum;
}

export function resnetCifar(depth = 20, inputShape: readonly [number, number, number] = [32, 32, 3], classes = 10, width = 16, name = `resnet_${depth}`): ModelDef {
  if ((depth - 2) % 6 !== 0) throw new Error(`CIFAR ResNet depth must be 6n+2, got ${depth}`);
  const widths = [width, 2 * width, 4 * width];
  const blocks = blocksOf(depth, widths);
  return {
    name,
    inputShape,
    classes,
    tensors: [...convSpecs('conv', inputShape[2], widths[0], 3, false), ...batchNormSpecs('bn', widths[0]), ...blocks.flatMap(blockSpecs), ...linearSpecs('fc', widths[2], classes)],
    stemTensors: ['conv.weight'],
    stem: (w, x) => conv(w, 'conv', x, 1, 1),
    head: (w, h, bn) => {
      let x = batchNorm(w, 'bn', h, bn, true);
      for (const b of blocks) x = block(w, b, x, bn);
      return linear(w, 'fc', globalAveragePool(x));
    },
  };
}

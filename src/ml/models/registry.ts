// Looks models up by the name recipes use.
import { ComputeError } from '../compute-error.js';
import { convBn } from './conv-bn.js';
import { lenet300100 } from './lenet.js';
import { resnetCifar } from './resnet-cifar.js';
import { resnet50 } from './resnet-imagenet.js';
import type { ModelDef } from './spec.js';
import { vggCifar } from './vgg-cifar.js';

type Shape = readonly [number, number, number];

const builders: Record<string, (shape: Shape, classes: number) => ModelDef> = {
  lenet_300_100: (shape, classes) => lenet300100(shape, classes),
  conv_bn: (shape, classes) => convBn(shape, classes),
  resnet_20: (shape, classes) => resnetCifar(20, shape, classes),
  vgg_16: (shape, classes) => vggCifar(shape, classes),
  resnet_50: (shape, classes) => resnet50(shape, classes),
};

export const modelNames = Object.keys(builders);

export function buildModel(name: string, inputShape: Shape, classes: number): ModelDef {
  const build = builders[name];
  if (!build) throw new ComputeError('unknown-model', `unknown model "${name}" (known: ${modelNames.join(', ')})`);
  return build(inputShape, classes);
}

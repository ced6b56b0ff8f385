// Looks models up by the name recipes use: the short names, or open_lth's (mnist_lenet_A_B_…, cifar_resnet_D[_W], cifar_vgg_D).
import { parseArchitecture } from './architecture.js';
import { convBn } from './conv-bn.js';
import { lenet } from './lenet.js';
import { resnetCifar } from './resnet-cifar.js';
import { resnet50 } from './resnet-imagenet.js';
import type { ModelDef } from './spec.js';
import { vggCifar } from './vgg-cifar.js';

type Shape = readonly [number, number, number];

/** One name of each architecture, for tests and help texts; buildModel takes any name parseArchitecture does. */
export const modelNames = ['lenet_300_100', 'conv_bn', 'resnet_20', 'vgg_16', 'resnet_50'];

/** The model a name describes; its ModelDef.name is the name as given, so train.json records what the recipe said. */
export function buildModel(name: string, inputShape: Shape, classes: number): ModelDef {
  const architecture = parseArchitecture(name);
  switch (architecture.kind) {
    case 'lenet':
      return lenet(architecture.hidden, inputShape, classes, name);
    case 'conv-bn':
      return { ...convBn(inputShape, classes), name };
    case 'resnet-cifar':
      return resnetCifar(architecture.depth, inputShape, classes, architecture.width, name);
    case 'vgg-cifar':
      return vggCifar(inputShape, classes, architecture.depth, name);
    case 'resnet-imagenet':
      return { ...resnet50(inputShape, classes), name };
  }
}

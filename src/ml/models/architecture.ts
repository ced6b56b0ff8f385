// Model names as data, as open_lth writes them: mnist_lenet_A_B_…, cifar_resnet_D[_W] (D = 6n+2), cifar_vgg_D (11/13/16/19).
import { ComputeError } from '../compute-error.js';

export type Architecture =
  | { kind: 'lenet'; hidden: number[] }
  | { kind: 'resnet-cifar'; depth: number; width: number }
  | { kind: 'vgg-cifar'; depth: 11 | 13 | 16 | 19 }
  | { kind: 'conv-bn' }
  | { kind: 'resnet-imagenet'; depth: 50 };

export const vggDepths = [11, 13, 16, 19] as const;

/** Names every recipe may use as they are; open_lth's long forms are parsed. */
export const namedModels: Record<string, Architecture> = {
  lenet_300_100: { kind: 'lenet', hidden: [300, 100] },
  conv_bn: { kind: 'conv-bn' },
  resnet_20: { kind: 'resnet-cifar', depth: 20, width: 16 },
  vgg_16: { kind: 'vgg-cifar', depth: 16 },
  resnet_50: { kind: 'resnet-imagenet', depth: 50 },
  imagenet_resnet_50: { kind: 'resnet-imagenet', depth: 50 },
};

const forms = "lenet_300_100, conv_bn, resnet_20, vgg_16, resnet_50, or open_lth's mnist_lenet_A_B_…, cifar_resnet_D[_W] (D = 6n+2), cifar_vgg_D (D = 11, 13, 16, 19)";

function unknown(name: string, why: string): ComputeError {
  return new ComputeError('unknown-model', `unknown model "${name}": ${why} (known: ${forms})`);
}

/** A positive integer written plainly ("300", not "0300" or "3e2"). */
function size(text: string): number | undefined {
  return /^[1-9][0-9]{0,6}$/.test(text) ? Number(text) : undefined;
}

export function parseArchitecture(name: string): Architecture {
  const named = namedModels[name];
  if (named) return named;
  const parts = name.split('_');
  if (name.startsWith('mnist_lenet_')) {
    const hidden = parts.slice(2).map(size);
    if (hidden.length === 0 || hidden.some((width) => width === undefined)) throw unknown(name, 'the hidden layer widths after mnist_lenet_ must be positive integers');
    return { kind: 'lenet', hidden: hidden as number[] };
  }
  if (name.startsWith('cifar_resnet_')) {
    const numbers = parts.slice(2).map(size);
    const [depth, width] = [numbers[0], numbers.length === 2 ? numbers[1] : 16];
    if (numbers.length > 2 || depth === undefined || width === undefined) throw unknown(name, 'expected cifar_resnet_DEPTH or cifar_resnet_DEPTH_WIDTH');
    if ((depth - 2) % 6 !== 0 || depth < 8) throw unknown(name, `a CIFAR ResNet's depth is 6n+2 (8, 14, 20, 32, 44, 56, 110, …), not ${depth}`);
    return { kind: 'resnet-cifar', depth, width };
  }
  if (name.startsWith('cifar_vgg_')) {
    const depth = parts.length === 3 ? size(parts[2]) : undefined;
    if (!vggDepths.includes(depth as (typeof vggDepths)[number])) throw unknown(name, 'a CIFAR VGG is cifar_vgg_11, _13, _16 or _19');
    return { kind: 'vgg-cifar', depth: depth as (typeof vggDepths)[number] };
  }
  throw unknown(name, 'not a name linpath knows or can parse');
}

// Types of checkpoints.mjs for TypeScript callers (tests).
export declare const MODELS: Record<'lenet_300_100' | 'conv_bn', { setting: string; tensors: Record<string, number[]> }>;
export declare function encodeSafetensors(tensors: Map<string, { shape: number[]; data: Float32Array }>): Buffer;
export declare function writeSyntheticTrain(dir: string, model: 'lenet_300_100' | 'conv_bn', final?: number): Promise<string>;

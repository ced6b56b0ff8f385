// Placing a webgpu stage on its leased GPU: CUDA_VISIBLE_DEVICES → nvidia-smi's PCI bus → the Vulkan device-select layer, with fakes for both.
import { describe, expect, it } from 'vitest';
import { driPrimeTag, implicitLayerDirs, parseNvidiaSmiGpus, placeOnLeasedGpu, type PlacementProbe } from '../../../src/ml/backend/webgpu/placement.js';
import { adapterLabel, describeAdapter } from '../../../src/ml/backend/webgpu/adapter-info.js';

// What `nvidia-smi --query-gpu=index,uuid,pci.bus_id --format=csv,noheader` prints on a 4-GPU box.
const fourGpus = [
  '0, GPU-11111111-aaaa-bbbb-cccc-000000000000, 00000000:19:00.0',
  '1, GPU-22222222-aaaa-bbbb-cccc-000000000000, 00000000:3B:00.0',
  '2, GPU-33333333-aaaa-bbbb-cccc-000000000000, 00000000:4C:00.0',
  '3, GPU-44444444-aaaa-bbbb-cccc-000000000000, 00000001:5D:00.0',
  '',
].join('\n');

function probe(csv: string | undefined, layer = true): PlacementProbe {
  return { nvidiaSmi: () => csv, deviceSelectLayer: () => layer };
}

describe('parsing nvidia-smi', () => {
  it('reads index, UUID and bus id per GPU', () => {
    expect(parseNvidiaSmiGpus(fourGpus)).toHaveLength(4);
    expect(parseNvidiaSmiGpus(fourGpus)[1]).toEqual({ index: '1', uuid: 'GPU-22222222-aaaa-bbbb-cccc-000000000000', busId: '00000000:3B:00.0' });
  });

  it("turns a bus id into the device-select layer's tag, domain included", () => {
    expect(driPrimeTag('00000000:3B:00.0')).toBe('pci-0000_3b_00_0');
    expect(driPrimeTag('00000001:5D:00.0')).toBe('pci-0001_5d_00_0');
    expect(driPrimeTag('0000:19:00.1')).toBe('pci-0000_19_00_1');
    expect(driPrimeTag('not a bus')).toBeUndefined();
  });
});

describe('placeOnLeasedGpu', () => {
  it('pins the stage to the PCI bus of the GPU it leased, by index or by UUID', () => {
    expect(placeOnLeasedGpu({ CUDA_VISIBLE_DEVICES: '2' }, probe(fourGpus))).toEqual({
      kind: 'pinned',
      gpu: { index: '2', uuid: 'GPU-33333333-aaaa-bbbb-cccc-000000000000', busId: '00000000:4C:00.0' },
      env: { DRI_PRIME: 'pci-0000_4c_00_0', MESA_VK_DEVICE_SELECT_FORCE_DEFAULT_DEVICE: '1' },
    });
    const byUuid = placeOnLeasedGpu({ CUDA_VISIBLE_DEVICES: 'GPU-44444444-aaaa-bbbb-cccc-000000000000' }, probe(fourGpus));
    expect(byUuid.kind === 'pinned' && byUuid.env.DRI_PRIME).toBe('pci-0001_5d_00_0');
  });

  it('takes the first of several leased GPUs: a stage computes on one', () => {
    const placement = placeOnLeasedGpu({ CUDA_VISIBLE_DEVICES: '3,1' }, probe(fourGpus));
    expect(placement.kind === 'pinned' && placement.gpu.index).toBe('3');
  });

  it('needs nothing without a lease or on a one-GPU machine', () => {
    expect(placeOnLeasedGpu({}, probe(fourGpus)).kind).toBe('not-needed');
    expect(placeOnLeasedGpu({ CUDA_VISIBLE_DEVICES: '' }, probe(fourGpus)).kind).toBe('not-needed');
    expect(placeOnLeasedGpu({ CUDA_VISIBLE_DEVICES: '0' }, probe('0, GPU-1, 00000000:19:00.0\n', false))).toMatchObject({ kind: 'not-needed', gpu: { index: '0' } });
  });

  it('says plainly when the lease cannot be honoured, and why', () => {
    const cases: [NodeJS.ProcessEnv, PlacementProbe, RegExp][] = [
      [{ CUDA_VISIBLE_DEVICES: '1' }, probe(fourGpus, false), /device-select layer .* not installed.*first adapter/],
      [{ CUDA_VISIBLE_DEVICES: '1' }, probe(undefined), /nvidia-smi did not answer/],
      [{ CUDA_VISIBLE_DEVICES: '7' }, probe(fourGpus), /leased GPU 7 is not among nvidia-smi's GPUs \(0, 1, 2, 3\)/],
      [{ CUDA_VISIBLE_DEVICES: 'MIG-abc' }, probe(fourGpus), /MIG instance/],
      [{ CUDA_VISIBLE_DEVICES: '1', DRI_PRIME: '1' }, probe(fourGpus), /already set by the user/],
    ];
    for (const [env, fake, message] of cases) {
      const placement = placeOnLeasedGpu(env, fake);
      expect(placement.kind).toBe('unpinned');
      expect(placement.kind === 'unpinned' && placement.problem).toMatch(message);
    }
  });

  it('looks for the layer where the Vulkan loader does', () => {
    expect(implicitLayerDirs({})).toContain('/usr/share/vulkan/implicit_layer.d');
    expect(implicitLayerDirs({ XDG_DATA_DIRS: '/opt/kit/share' })).toContain('/opt/kit/share/vulkan/implicit_layer.d');
  });
});

describe('describing adapters', () => {
  it('tells a GPU from a software rasteriser', () => {
    const h200 = describeAdapter({ vendor: 'nvidia', architecture: 'hopper', device: 'nvidia-h200', description: 'NVIDIA H200' }, 'vulkan');
    expect(h200.software).toBe(false);
    expect(adapterLabel(h200)).toBe('nvidia nvidia-h200 (vulkan)');
    expect(describeAdapter({ device: 'llvmpipe-llvm-15-0-6-256-bits-' }, 'opengles').software).toBe(true);
    expect(describeAdapter({ vendor: 'google', device: 'swiftshader device (subzero)' }, 'vulkan').software).toBe(true);
    expect(describeAdapter({ vendor: 'intel', device: 'x' }, 'vulkan', true).software).toBe(true);
  });
});

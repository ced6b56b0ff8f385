// Which adapter Dawn gives this process under the current environment (DRI_PRIME, MESA_VK_DEVICE_SELECT…): run by
// bench/gpu/run.sh with and without the device-select layer's variables, to check on a real GPU box that they steer Dawn.
import { adapterLabel } from '../../src/ml/backend/webgpu/adapter-info.js';
import { findAdapter } from '../../src/ml/backend/webgpu/adapter.js';
import { placeOnLeasedGpu, systemPlacementProbe } from '../../src/ml/backend/webgpu/placement.js';

const env = process.env;
const record: Record<string, unknown> = {
  probe: 'linpath-placement',
  test: env.CHECK_NAME ?? 'placement',
  DRI_PRIME: env.DRI_PRIME ?? null,
  MESA_VK_DEVICE_SELECT_FORCE_DEFAULT_DEVICE: env.MESA_VK_DEVICE_SELECT_FORCE_DEFAULT_DEVICE ?? null,
  placement: placeOnLeasedGpu({ ...env, DRI_PRIME: undefined, CUDA_VISIBLE_DEVICES: env.CUDA_VISIBLE_DEVICES ?? '0' }, systemPlacementProbe(env)),
  layer_installed: systemPlacementProbe(env).deviceSelectLayer(),
};
try {
  const found = await findAdapter({ allowSoftware: false });
  record.ok = true;
  record.adapter = adapterLabel(found.description);
  record.description = found.description;
} catch (error) {
  record.ok = false;
  record.error = (error as Error).message;
}
console.log(JSON.stringify(record));

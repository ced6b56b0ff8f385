// stages/support/stage-env.ts: the runner's variables as the stage programs see them, empty ones as unset.
import { describe, expect, it } from 'vitest';
import { stageEnv } from '../../stages/support/stage-env.js';

describe('stageEnv', () => {
  it('reads the params, scratch and upstream files and whether the runner started the stage', () => {
    expect(stageEnv({ PIPELINE_PARAMS: '/p.json', PIPELINE_SCRATCH: '/s', PIPELINE_UPSTREAM: '/u.json', PIPELINE_STAGE: 'sweep@a@0' })).toEqual({
      params: '/p.json',
      scratch: '/s',
      upstream: '/u.json',
      underRunner: true,
    });
  });

  it('treats unset and empty variables alike', () => {
    const unset = { params: undefined, scratch: undefined, upstream: undefined, underRunner: false };
    expect(stageEnv({})).toEqual(unset);
    expect(stageEnv({ PIPELINE_PARAMS: '', PIPELINE_SCRATCH: '', PIPELINE_UPSTREAM: '', PIPELINE_STAGE: '' })).toEqual(unset);
  });
});

// Credentials come from the environment only: a token as Bearer, else user and password as Basic, else none.
import { describe, expect, it } from 'vitest';
import { authorizationFromEnv } from '../../../src/engine/remote/credentials.js';

describe('remote credentials', () => {
  it('sends a token as Bearer, and it wins over user and password', () => {
    expect(authorizationFromEnv({ PIPELINE_REMOTE_TOKEN: 't0k', PIPELINE_REMOTE_USER: 'alice', PIPELINE_REMOTE_PASSWORD: 'pw' })).toBe('Bearer t0k');
  });

  it('sends user and password as Basic', () => {
    expect(authorizationFromEnv({ PIPELINE_REMOTE_USER: 'alice', PIPELINE_REMOTE_PASSWORD: 'hunter2' })).toBe(`Basic ${Buffer.from('alice:hunter2').toString('base64')}`);
  });

  it('sends nothing when neither is set', () => {
    expect(authorizationFromEnv({})).toBeUndefined();
  });
});

// Shared by the artifact tests: a scratch folder per test and a way to catch the ArtifactError a read throws.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect } from 'vitest';
import { ArtifactError } from '../../src/artifacts/errors.js';

/** A fresh folder for each test of the calling file; read `scratch.dir` inside a test. */
export function useScratchDir(): { dir: string } {
  const scratch = { dir: '' };
  beforeEach(async () => {
    scratch.dir = await mkdtemp(join(tmpdir(), 'linpath-artifacts-'));
  });
  afterEach(() => rm(scratch.dir, { recursive: true, force: true }));
  return scratch;
}

export async function artifactFailure(promise: Promise<unknown>): Promise<ArtifactError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ArtifactError);
  return error as ArtifactError;
}

// A no-op run stats an entry's directories instead of listing them; any change to a listing still shows.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { Project } from './rig.js';

let project: Project;
beforeEach(() => (project = new Project()));
afterEach(() => project.cleanup());

async function committedOut(): Promise<string> {
  project.pipeline('stages:\n  a:\n    cmd: mkdir -p ${out}/sub/deep && echo x > ${out}/sub/deep/f && ln -s f ${out}/sub/deep/l\n');
  expect((await project.run(['run'])).code).toBe(0);
  // A no-op first: the listing memo now comes from a check as well as from the commit.
  expect((await project.run(['run'])).stderr).toContain('fresh      a');
  return path.join(project.dir, 'cache/entries', parse(project.read('pipeline.lock')).stages.a.key as string, 'out');
}

describe('the listing memo', () => {
  it('a file added two directories down is noticed', async () => {
    const out = await committedOut();
    fs.writeFileSync(path.join(out, 'sub/deep/extra'), 'x');
    const result = await project.run(['run']);
    expect(result.stderr).toContain('unexpected file sub/deep/extra');
    expect((await project.run(['run'])).stderr).toContain('fresh      a');
  });

  it('a link pointed elsewhere, and a file removed, are noticed', async () => {
    const out = await committedOut();
    fs.rmSync(path.join(out, 'sub/deep/l'));
    fs.symlinkSync('elsewhere', path.join(out, 'sub/deep/l'));
    expect((await project.run(['run'])).stderr).toContain('link sub/deep/l changed');
    fs.rmSync(path.join(out, 'sub/deep/f'), { force: true });
    expect((await project.run(['run'])).stderr).toContain('sub/deep/f is missing');
  });
});

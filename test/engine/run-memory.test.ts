// What a long run keeps per stage is kept once: entries share what the runner already holds, the file-hash memo
// holds no paths about to move, the loaded pipeline gives up its parsed YAML. Values and bytes as before.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildManifest } from '../../src/engine/cache/manifest.js';
import { sharedWhereSame } from '../../src/engine/cache/json-copy.js';
import { FileHashes, memoJson } from '../../src/engine/fingerprint/file-hashes.js';
import { loadPipeline } from '../../src/engine/pipeline/load.js';
import { loadPipelineMemoized } from '../../src/engine/pipeline/memo.js';
import { locate } from '../../src/engine/pipeline/yaml-source.js';
import { Project } from './rig.js';

const readBack = (value: unknown) => sharedWhereSame(JSON.parse(JSON.stringify(value)), value);

describe('sharedWhereSame', () => {
  it('gives back the original when its JSON reads back the same', () => {
    const original = { key: 'k'.repeat(64), record: { cmd: 'echo x', params: { 'a.b': [1, 'two', null, true] }, env: {} }, files: [{ path: 'x', size: 3, sha256: 'ab' }] };
    expect(readBack(original)).toBe(original);
  });

  it('keeps what JSON changes as JSON reads it, sharing the rest', () => {
    const toolchain = { node: '20', platform: 'linux-x64' };
    const original = {
      stage: 'work@k1',
      info: undefined,
      metrics: { loss: -0, acc: 0.5 },
      inf: Infinity,
      when: new Date(0),
      map: new Map([['a', 1]]),
      holes: [1, , 3],
      record: { cmd: 'echo x', toolchain },
    };
    const text = JSON.stringify(original);
    const result = sharedWhereSame(JSON.parse(text), original) as typeof original;
    // Exactly what reading the JSON gives (toEqual tells -0 from 0, and a missing key from an undefined one).
    expect(result).toStrictEqual(JSON.parse(text));
    expect(Object.is(result.metrics.loss, 0)).toBe(true);
    expect(result).not.toBe(original);
    expect(result.metrics).not.toBe(original.metrics);
    expect(result.record).toBe(original.record);
    expect(result.record.toolchain).toBe(toolchain);
    expect('info' in result).toBe(false);
    expect(result.map).toEqual({});
    expect(result.holes).toEqual([1, null, 3]);
    // The original is left as it was.
    expect(Object.is(original.metrics.loss, -0)).toBe(true);
    expect(original.map).toBeInstanceOf(Map);
  });

  it('leaves an own "__proto__" key as JSON.parse made it', () => {
    const original = JSON.parse('{"__proto__": {"x": 1}, "y": "z"}') as Record<string, unknown>;
    const result = readBack(original) as Record<string, unknown>;
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect(Object.keys(result)).toEqual(['__proto__', 'y']);
    expect(JSON.stringify(result)).toBe(JSON.stringify(original));
  });
});

describe('the file-hash memo', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linpath-memo-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('hashes a staged output without recording its paths, which move when the entry is committed', async () => {
    const out = path.join(dir, 'staging', 'out');
    fs.mkdirSync(path.join(out, 'sub'), { recursive: true });
    fs.writeFileSync(path.join(out, 'x'), 'x\n');
    fs.writeFileSync(path.join(out, 'sub', 'y'), 'y\n');
    const memo = path.join(dir, 'file-hashes.json');
    const hashes = FileHashes.load(memo);
    const manifest = await buildManifest(out, hashes);
    expect(manifest.files.map((file) => file.path)).toEqual(['sub/y', 'x']);
    const x = path.join(out, 'x');
    expect(hashes.lookup(x, fs.statSync(x, { bigint: true }))).toBeUndefined();
    // What is recorded is saved, as before.
    hashes.remember(x, fs.statSync(x, { bigint: true }), manifest.files[1].sha256);
    hashes.save();
    expect(Object.keys((JSON.parse(fs.readFileSync(memo, 'utf8')) as { files: object }).files)).toEqual([x]);
  });

  it('is saved as the bytes JSON.stringify gave, a file at a time', () => {
    const files: Record<string, [number, number, string, string]> = {};
    for (let i = 0; i < 3000; i++) files[`/p/${i % 7 === 0 ? 'quote"é ' : ''}${i}`] = [i * 7919, i, `${1764469999123456789n + BigInt(i)}`, 'ab'.repeat(32)];
    files['/p/10'] = [1, 2, '3', 'c'];
    expect([...memoJson(files)].join('')).toBe(JSON.stringify({ version: 1, files }));
    expect([...memoJson({})].join('')).toBe(JSON.stringify({ version: 1, files: {} }));
  });
});

describe('a run', () => {
  let project: Project;
  beforeEach(() => (project = new Project()));
  afterEach(() => project.cleanup());

  it('writes the lock a run restoring from cache/ writes, a -0 metric included', async () => {
    project.pipeline(`stages:
  m:
    foreach: [a, b]
    do:
      cmd: |
        echo '{"loss": -0, "acc": 0.5, "big": 1e300}' > \${out}/m.json
      metrics: [m.json]
  g:
    needs: { all: m }
    cmd: ls \${in.all} > \${out}/list
`);
    expect((await project.run(['run'])).code).toBe(0);
    const lock = project.read('pipeline.lock');
    expect(lock).toContain('loss: 0\n');
    fs.rmSync(path.join(project.dir, 'pipeline.lock'));
    fs.rmSync(path.join(project.dir, 'cache/state'), { recursive: true });
    const restored = await project.run(['run']);
    expect(restored.code).toBe(0);
    expect(restored.stderr).toContain('restored');
    expect(project.read('pipeline.lock')).toBe(lock);
  });
});

describe('loading the pipeline', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linpath-load-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('gives the graph loadPipeline gives, and parses the YAML again only when a location is asked for', () => {
    const file = path.join(dir, 'pipeline.yaml');
    fs.writeFileSync(
      file,
      'params:\n  items: [a, b, c]\nstages:\n  work:\n    foreach: ${params.items}\n    do:\n      cmd: echo ${item} > ${out}/x\n  gather:\n    needs: { all: work }\n    cmd: ls ${in.all} > ${out}/n\n',
    );
    const cacheDir = () => path.join(dir, 'cache');
    const direct = loadPipeline(file);
    for (const loaded of [loadPipelineMemoized(file, cacheDir), loadPipelineMemoized(file, cacheDir)]) {
      expect(typeof Object.getOwnPropertyDescriptor(loaded, 'source')?.get).toBe('function');
      expect(loaded.stages).toEqual(direct.stages);
      expect(loaded.inputs).toEqual(direct.inputs);
      expect(loaded.dependents).toEqual(direct.dependents);
      expect(loaded.groups).toEqual(direct.groups);
      expect(loaded.order).toEqual(direct.order);
      const stage = loaded.stages.get('work@b')!;
      expect(stage.memberKey).toBe('b');
      expect(stage.sourcePath).toEqual(['stages', 'work', 'do']);
      expect(locate(loaded.source, [...stage.sourcePath, 'cmd']).line).toBe(7);
    }
  });
});

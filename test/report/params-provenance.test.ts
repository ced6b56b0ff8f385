// Render parameters merge over defaults with checked types; provenance rows come from PIPELINE_UPSTREAM in pipeline order, without run-specific fields.
import { describe, expect, it } from 'vitest';
import { DEFAULT_PARAMS, resolveParams } from '../../src/report/params.js';
import { provenanceFromUpstream } from '../../src/report/provenance.js';
import { runSpecificUpstream, upstreamFixture } from './fixtures.js';

describe('resolveParams', () => {
  it('keeps defaults for what is not given and ignores keys of other stages', () => {
    const params = resolveParams({ loss_threshold: 0.5, colors: ['#000000'], points: 100 }, 'p.json');
    expect(params).toEqual({ ...DEFAULT_PARAMS, loss_threshold: 0.5, colors: ['#000000'] });
    expect(resolveParams(undefined, 'p.json')).toEqual(DEFAULT_PARAMS);
  });

  it('names the bad key and where it came from', () => {
    expect(() => resolveParams({ error_threshold: 5 }, 'PIPELINE_PARAMS /x.json')).toThrow('PIPELINE_PARAMS /x.json: error_threshold must be <= 1');
    expect(() => resolveParams({ colors: ['red;}'] }, 'p')).toThrow(/p: colors\.0 must match pattern/);
    expect(() => resolveParams({ sequential_scheme: 'category10' }, 'p')).toThrow('p: sequential_scheme "category10" is not a sequential');
    expect(resolveParams({ sequential_scheme: 'magma' }, 'p').sequential_scheme).toBe('magma');
  });
});

describe('provenanceFromUpstream', () => {
  it('lists stages in pipeline order with key, output hash, backend and device', () => {
    const rows = provenanceFromUpstream(upstreamFixture('/cache/x'), 'upstream.json');
    expect(rows.map((r) => r.stage)).toEqual(['fetch-data', 'train@mnist_lenet_300_100', 'sweep@mnist_lenet_300_100@0', 'aggregate']);
    expect(rows[1]).toEqual({ stage: 'train@mnist_lenet_300_100', key: '0123456789abcdef0123456789abcdef', output_hash: '5e1f5e1f5e1f5e1f5e1f5e1f5e1f5e1f', backend: 'wasm', device: 'cpu' });
  });

  it('orders fan-out members by number and tolerates missing info', () => {
    const rows = provenanceFromUpstream({ 'sweep@s@100': { key: 'k1' }, 'sweep@s@20': { key: 'k2', info: null }, mine: { key: 'k3' } }, 'u');
    expect(rows.map((r) => r.stage)).toEqual(['sweep@s@20', 'sweep@s@100', 'mine']);
    expect(rows[0]).toMatchObject({ backend: '', device: '' });
  });

  it('reads nothing run-specific: durations, hosts and paths an older runner passed give the same rows', () => {
    const plain = provenanceFromUpstream(upstreamFixture('/cache/x'), 'u');
    expect(provenanceFromUpstream(runSpecificUpstream('/cache/x', 1), 'u')).toEqual(plain);
    expect(provenanceFromUpstream(runSpecificUpstream('/cache/y', 2), 'u')).toEqual(plain);
  });

  it('rejects an entry without a key', () => {
    expect(() => provenanceFromUpstream({ train: { output_hash: 'x' } }, 'u.json')).toThrow("u.json: train must have required property 'key'");
  });
});

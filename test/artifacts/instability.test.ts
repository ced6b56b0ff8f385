// instability.json and instability.csv: written in a fixed order, read back, and refused when corrupt.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { INSTABILITY_CSV, INSTABILITY_JSON, readInstability, writeInstability } from '../../src/artifacts/instability.js';
import { instabilityFixture } from '../report/instability-fixture.js';

describe('instability artifact', () => {
  it('round-trips, with one CSV row per setting, t and quantity', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'linpath-instability-'));
    await writeInstability(dir, instabilityFixture());
    expect(await readInstability(dir)).toEqual(instabilityFixture());
    const csv = (await readFile(join(dir, INSTABILITY_CSV), 'utf8')).trim().split('\n');
    expect(csv[0]).toBe('setting,iteration,seed_a,seed_b,quantity,instability,max,start,end');
    expect(csv).toHaveLength(1 + 2 * (4 + 2));
    expect(csv[1]).toMatch(/^mnist_lenet_300_100,0,2,3,loss,/);
  });

  it('writes the same bytes whatever order the keys were built in', async () => {
    const [a, b] = [await mkdtemp(join(tmpdir(), 'linpath-instability-')), await mkdtemp(join(tmpdir(), 'linpath-instability-'))];
    const shuffled = instabilityFixture();
    const s = shuffled.settings.cifar_resnet_20!;
    shuffled.settings.cifar_resnet_20 = {
      rows: s.rows.map((r) => ({ error: r.error, loss: r.loss, points: r.points, seeds: r.seeds, iteration: r.iteration })),
      stability_point: s.stability_point,
      final_iteration: s.final_iteration,
    };
    await writeInstability(a, instabilityFixture());
    await writeInstability(b, shuffled);
    expect(await readFile(join(a, INSTABILITY_JSON), 'utf8')).toBe(await readFile(join(b, INSTABILITY_JSON), 'utf8'));
  });

  it('names the wrong field of a corrupt file, and refuses t out of order', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'linpath-instability-'));
    const document = instabilityFixture() as unknown as { settings: Record<string, { rows: Array<Record<string, unknown>> }> };
    document.settings.cifar_resnet_20!.rows[1]!.seeds = [2];
    await writeFile(join(dir, INSTABILITY_JSON), JSON.stringify(document));
    await expect(readInstability(dir)).rejects.toMatchObject({ reason: 'corrupt-input', message: expect.stringContaining('seeds') });
    const swapped = instabilityFixture();
    swapped.settings.cifar_resnet_20!.rows.reverse();
    await writeFile(join(dir, INSTABILITY_JSON), JSON.stringify(swapped));
    await expect(readInstability(dir)).rejects.toMatchObject({ message: expect.stringContaining('not strictly ascending') });
  });
});

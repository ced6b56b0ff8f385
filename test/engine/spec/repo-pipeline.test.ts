import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadPipeline } from '../../../src/engine/spec/load.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

describe("the repository's pipeline.yaml", () => {
  it('names its JSON Schema on the first line, for editors', () => {
    const first = fs.readFileSync(path.join(repo, 'pipeline.yaml'), 'utf8').split('\n')[0];
    expect(first).toBe('# yaml-language-server: $schema=./schema/pipeline.schema.json');
    expect(fs.existsSync(path.join(repo, 'schema/pipeline.schema.json'))).toBe(true);
  });

  it('expands to one sweep per (setting, checkpoint), each reading its own training', () => {
    const pipeline = loadPipeline(path.join(repo, 'pipeline.yaml'));
    const settings = Object.entries((pipeline.source.value as { params: { settings: Record<string, { checkpoints: number[] }> } }).params.settings);
    const sweeps = pipeline.groups.get('sweep')!;
    expect(sweeps).toHaveLength(settings.reduce((sum, [, setting]) => sum + setting.checkpoints.length, 0));
    for (const [name, setting] of settings) {
      expect(setting.checkpoints[0]).toBe(0);
      for (const checkpoint of setting.checkpoints) {
        const stage = pipeline.stages.get(`sweep@${name}@${checkpoint}`)!;
        expect(stage.needs.train).toBe(`train@${name}`);
        expect(stage.cmd).toContain(`--iteration ${checkpoint}`);
      }
    }
    expect(pipeline.order.at(-1)).toBe('render');
  });
});

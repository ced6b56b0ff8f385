// `extends: pipeline.yaml`: a profile is a pipeline file that runs another file's stages with its own params layered
// over that file's params, and with its own lock (pipeline.paper.yaml → pipeline.paper.lock), so the paper's settings
// are not a copy of the stages block. Each key under the profile's `params` replaces the base's key whole (a map is
// not merged: the profile says all of it, and `{}` switches off a fan-out over it); keys it does not name keep the
// base's values. `set:` changes single params by path, as `-S` does (`settings.mnist_conv_bn.seeds: [1, 2, 3]`), so a
// profile that differs from its base in one nested value need not copy the map around it. `toolchain` and `executor`
// written in the profile replace the base's.
import fs from 'node:fs';
import path from 'node:path';
import { PipelineError, SpecError } from '../errors.js';
import { insideRoot } from './graph.js';
import { applyOverrides, type Override } from './overrides.js';
import { checkPlainValues } from './plain-values.js';
import { locate, parseYamlSource, type YamlSource } from './yaml-source.js';

/** What a profile may hold besides `extends`: anything else belongs to the stages it layers over. */
const profileKeys = new Set(['extends', 'params', 'set', 'toolchain', 'executor']);

type Spec = Record<string, unknown>;

function isMap(value: unknown): value is Spec {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export interface Layered {
  source: YamlSource;
  /** The base pipeline file, absolute. */
  base: string;
}

/** The profile's value over its base's, located in whichever file wrote each part; undefined when `profile` extends nothing. */
export function layerOverBase(profile: YamlSource, profileFile: string, displayName: (absolute: string) => string): Layered | undefined {
  const value = profile.value;
  if (!isMap(value) || !('extends' in value)) return undefined;
  const written = value.extends;
  if (typeof written !== 'string' || written === '') throw new SpecError('spec-schema', locate(profile, ['extends']), 'expected the path of another pipeline file, e.g. extends: pipeline.yaml');
  for (const key of Object.keys(value)) {
    if (!profileKeys.has(key)) {
      throw new SpecError(
        'spec-schema',
        locate(profile, [key], { key: true }),
        `a profile (a file with extends:) runs the stages of ${written} with its own params: it may hold ${[...profileKeys].join(', ')}, not "${key}"`,
      );
    }
  }
  const root = path.dirname(profileFile);
  const base = path.resolve(root, written);
  if (!insideRoot(root, written) || base === profileFile)
    throw new SpecError('spec-path-escapes-root', locate(profile, ['extends']), `"${written}" must be another pipeline file in this project's directory tree`);
  let text: string;
  try {
    text = fs.readFileSync(base, 'utf8');
  } catch (cause) {
    throw new SpecError('spec-not-found', locate(profile, ['extends']), `cannot read ${written} (${(cause as NodeJS.ErrnoException).code ?? cause})`, { cause });
  }
  const baseSource = parseYamlSource(displayName(base), text);
  checkPlainValues(baseSource);
  const baseValue = baseSource.value;
  if (!isMap(baseValue)) throw new SpecError('spec-schema', locate(profile, ['extends']), `${written} holds no pipeline (expected a map with a "stages:" key)`);
  if ('extends' in baseValue)
    throw new SpecError('spec-schema', locate(baseSource, ['extends']), `${written} extends another file itself: a profile layers over a pipeline with stages, one level deep`);
  const profileParams = value.params ?? {};
  if (!isMap(profileParams)) throw new SpecError('spec-schema', locate(profile, ['params']), 'params: expected a map');
  const baseParams = isMap(baseValue.params) ? baseValue.params : {};
  const merged: Spec = { ...baseValue, params: { ...baseParams, ...profileParams } };
  for (const key of ['toolchain', 'executor']) if (key in value) merged[key] = value[key];
  // A message about a value the profile wrote points into the profile; about anything else, into the base.
  const owns = (at: readonly (string | number)[]) =>
    at.length === 0 || (at[0] === 'params' && (at.length === 1 ? 'params' in value : String(at[1]) in profileParams)) || (typeof at[0] === 'string' && at[0] !== 'params' && at[0] in value);
  const source: YamlSource = { ...baseSource, value: merged, overlay: { source: profile, owns } };
  applyOverrides(source, profileSets(profile));
  return { source, base };
}

/** The profile's `set:` entries as overrides (applied after `params`, before any `-S`), each located where it is written. */
function profileSets(profile: YamlSource): Override[] {
  const sets = (profile.value as Spec).set;
  if (sets === undefined) return [];
  if (!isMap(sets)) throw new SpecError('spec-schema', locate(profile, ['set']), 'expected a map of param paths to values, e.g. settings.mnist_conv_bn.seeds: [1, 2, 3]');
  return Object.entries(sets).map(([written, setValue]) => {
    const at = locate(profile, ['set', written], { key: true });
    const path = written.split('.');
    if (path.some((part) => part === '')) throw new SpecError('spec-schema', at, `"${written}" is not a param path (names joined by dots, e.g. sweep.points)`);
    return { text: written, path, value: setValue, writtenAt: at };
  });
}

/** `-P NAME` names the profile file beside the pipeline file: pipeline.yaml -P paper → pipeline.paper.yaml. */
export function profileFile(file: string, profile: string): string {
  if (!/^[A-Za-z0-9_][A-Za-z0-9_-]*$/.test(profile)) throw new PipelineError('bad-usage', `--profile ${profile}: a profile name is letters, digits, "_" and "-"`);
  const parsed = path.parse(file);
  return path.join(parsed.dir, `${parsed.name}.${profile}${parsed.ext || '.yaml'}`);
}

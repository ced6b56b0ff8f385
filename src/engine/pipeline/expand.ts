// Expands foreach … do fan-outs into NAME@key stages and resolves their templates.
import { SpecError } from '../errors.js';
import { resolveCommand, type ResolvedCommand } from './command.js';
import { maxNameLength } from './names.js';
import type { StageDefinition } from './stage.js';
import { resolveDeep, UnresolvedTemplate, type LoopFrame, type TemplateScope } from './template.js';
import { locate, type YamlSource } from './yaml-source.js';

type Body = Record<string, unknown>;

const memberKeyPattern = /^[A-Za-z0-9_.:+=-]+$/;

interface Member {
  key: string;
  item: unknown;
}

function membersOf(collection: unknown): Member[] | undefined {
  if (Array.isArray(collection)) {
    return collection.map((item, index) => {
      if (item !== null && typeof item === 'object') {
        const named = (item as Record<string, unknown>).name;
        return { key: typeof named === 'string' || typeof named === 'number' ? String(named) : String(index), item };
      }
      return { key: String(item), item };
    });
  }
  if (collection !== null && typeof collection === 'object') {
    return Object.entries(collection).map(([key, item]) => ({ key, item }));
  }
  return undefined;
}

export function expandStages(source: YamlSource): StageDefinition[] {
  const spec = source.value as { params?: unknown; stages: Record<string, Body> };
  const params = spec.params ?? {};
  const stages: StageDefinition[] = [];
  const seen = new Map<string, (string | number)[]>();

  const fail = (reason: 'spec-template' | 'spec-schema' | 'spec-duplicate-stage', path: (string | number)[], message: string, options: { key?: boolean } = {}): never => {
    throw new SpecError(reason, locate(source, path, options), message);
  };

  const resolve = (value: unknown, scope: TemplateScope, path: (string | number)[]): unknown => {
    try {
      return resolveDeep(value, scope);
    } catch (error) {
      if (error instanceof UnresolvedTemplate) {
        const inner = (error as UnresolvedTemplate & { path?: (string | number)[] }).path ?? [];
        return fail('spec-template', [...path, ...inner], error.message);
      }
      throw error;
    }
  };

  const visit = (name: string, groupName: string, body: Body, bodyPath: (string | number)[], loop: LoopFrame | undefined, keys: string[]): void => {
    if ('foreach' in body) {
      const foreachPath = [...bodyPath, 'foreach'];
      const collection = resolve(body.foreach, { params, loop }, foreachPath);
      const members = membersOf(collection);
      if (!members) fail('spec-template', foreachPath, `foreach must give a list or a map, got ${JSON.stringify(collection)}`);
      // Written empty in the file it is a mistake; a template giving an empty map or list (a params file or profile
      // that switches an analysis off) leaves the group with no members, and stages that need it an empty input.
      if (members!.length === 0 && typeof body.foreach !== 'string')
        fail('spec-template', foreachPath, 'foreach gives an empty list: the stage would vanish (an empty ${params.…} switches a group off)');
      // A foreach written out in the file points at the offending item (or map key); a template at itself.
      const written = body.foreach;
      // One path for every member's body (a definition keeps it as its sourcePath, read only): not a copy per member.
      const doPath = [...bodyPath, 'do'];
      const memberAt = (index: number, key: string): [(string | number)[], { key?: boolean }] =>
        Array.isArray(written) ? [[...foreachPath, index], {}] : written !== null && typeof written === 'object' ? [[...foreachPath, key], { key: true }] : [foreachPath, {}];
      for (const [index, member] of members!.entries()) {
        const [memberPath, keyed] = memberAt(index, member.key);
        if (!memberKeyPattern.test(member.key)) {
          fail('spec-template', memberPath, `fan-out key ${JSON.stringify(member.key)} may only hold letters, digits and _ . : + = - (it becomes part of a stage name and a file name)`, keyed);
        }
        // A group input is a directory with one entry per member key: "." and ".." name the directory itself and its parent.
        if (member.key === '.' || member.key === '..') {
          fail('spec-template', memberPath, `fan-out key "${member.key}" cannot be a file name; give the item another key (a map, or a name: field)`, keyed);
        }
        const memberName = `${name}@${member.key}`;
        if (memberName.length > maxNameLength) {
          const shown = `${memberName.slice(0, 40)}…`;
          fail(
            'spec-template',
            memberPath,
            `stage name "${shown}" (${memberName.length} characters) is longer than ${maxNameLength}: it becomes a file name; use shorter keys (a map, or a name: field)`,
            keyed,
          );
        }
        const frame: LoopFrame = { item: member.item, key: member.key, outer: loop };
        visit(memberName, groupName, body.do as Body, doPath, frame, [...keys, member.key]);
      }
      return;
    }
    const scope: TemplateScope = { params, loop };
    const field = <T>(key: string, fallback: T): T => (key in body ? (resolve(body[key], scope, [...bodyPath, key]) as T) : fallback);
    let command: ResolvedCommand;
    try {
      command = resolveCommand(String(body.cmd), scope);
    } catch (error) {
      if (error instanceof UnresolvedTemplate) return fail('spec-template', [...bodyPath, 'cmd'], error.message);
      throw error;
    }
    const needs = field<unknown>('needs', {});
    if (Array.isArray(needs)) {
      const inputNames = needs.map((target) => String(target).split('@')[0]);
      const clash = inputNames.find((inputName, index) => inputNames.indexOf(inputName) !== index);
      if (clash) fail('spec-schema', [...bodyPath, 'needs'], `two entries would both be \${in.${clash}}; use a map to name the inputs (needs: { a: ${clash}@…, b: ${clash}@… })`);
    }
    const stageParams = field<unknown>('params', {});
    if (stageParams === null || typeof stageParams !== 'object' || Array.isArray(stageParams)) {
      fail('spec-template', [...bodyPath, 'params'], `params must resolve to a map, got ${JSON.stringify(stageParams)}`);
    }
    const definition: StageDefinition = {
      name,
      group: keys.length > 0 ? groupName : undefined,
      memberKey: keys.length === 0 ? undefined : keys.length === 1 ? keys[0] : keys.join('@'),
      cmd: command.text,
      // Built by push, with room to grow: copied to its length, as every definition is kept for the whole run.
      command: command.parts.slice(),
      deps: orNone(field<unknown[]>('deps', []).flat().map(String)),
      program: field<string | undefined>('program', undefined),
      params: orNone(stageParams as Record<string, unknown>),
      needs: orNone(normalizeNeeds(needs)),
      resources: { gpu: 0, cpu: 1, ...field<object>('resources', {}) },
      env: orNone(Object.fromEntries(Object.entries(field<Record<string, unknown>>('env', {})).map(([k, v]) => [k, String(v)]))),
      resumable: field('resumable', false),
      metrics: orNone(field<string[]>('metrics', []).map(String)),
      publish: orNone(normalizePublish(field<unknown>('publish', undefined))),
      deterministic: field('deterministic', false),
      provenance: field('provenance', false),
      verify: field<StageDefinition['verify']>('verify', undefined),
      sourcePath: bodyPath,
    };
    const previous = seen.get(name);
    if (previous) {
      fail('spec-duplicate-stage', bodyPath, `two stages are named "${name}" after fan-out expansion (the other is at ${locate(source, previous).line ?? '?'}); give the foreach items distinct keys`);
    }
    seen.set(name, bodyPath);
    stages.push(definition);
  };

  for (const [name, body] of Object.entries(spec.stages)) {
    visit(name, name, body, ['stages', name], undefined, []);
  }
  return stages;
}

/**
 * Every definition without deps, params, needs, env, metrics or publish (most members of a fan-out) keeps the same
 * frozen empty list or map rather than one of its own: 10,000 definitions held a quarter of their size in empty
 * maps. Frozen, so a change to one stage's could never reach another's: definitions are read, never edited.
 */
const noItems: readonly never[] = Object.freeze([]);
const noEntries: Readonly<Record<string, never>> = Object.freeze({});

function orNone<T extends object>(value: T): T {
  if (Array.isArray(value)) return (value.length === 0 ? noItems : value) as T;
  return (Object.keys(value).length === 0 && Object.getPrototypeOf(value) === Object.prototype ? noEntries : value) as T;
}

function normalizeNeeds(needs: unknown): Record<string, string> {
  if (Array.isArray(needs)) {
    return Object.fromEntries(needs.map((target) => [String(target).split('@')[0], String(target)]));
  }
  return Object.fromEntries(Object.entries(needs as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
}

function normalizePublish(publish: unknown): Record<string, string> {
  if (publish === undefined) return {};
  if (typeof publish === 'string') return { '': publish };
  return Object.fromEntries(Object.entries(publish as Record<string, unknown>).map(([from, to]) => [from, String(to)]));
}

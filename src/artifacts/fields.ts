// Field checks for parsed JSON artifacts: the first wrong field becomes a `corrupt-input` naming the file, the field and the value.
import { ArtifactError } from './errors.js';

/** The file being read and the shape it should have (shown in every message, so one error says what a whole file needs). */
export interface Where {
  file: string;
  shape: string;
}

type Json = Record<string, unknown>;

function shown(value: unknown): string {
  if (value === undefined) return 'missing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

export function corrupt(where: Where, field: string, problem: string): ArtifactError {
  return new ArtifactError('corrupt-input', where.file, `${where.file}: expected ${where.shape} (${field} ${problem})`);
}

function wrong(where: Where, field: string, value: unknown, expected: string): ArtifactError {
  return corrupt(where, field || 'the top level', `is ${shown(value)}, expected ${expected}`);
}

/** `parent.key` for messages; the top level has no prefix. */
export function fieldName(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return parent ? `${parent}.${key}` : key;
}

function isIteration(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 0;
}

export function asObject(value: unknown, where: Where, field = ''): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw wrong(where, field, value, 'an object');
  return value as Json;
}

export function asArray(value: unknown, where: Where, field: string): unknown[] {
  if (!Array.isArray(value)) throw wrong(where, field, value, 'an array');
  return value;
}

export function stringField(object: Json, key: string, where: Where, parent = ''): string {
  const value = object[key];
  if (typeof value !== 'string') throw wrong(where, fieldName(parent, key), value, 'a string');
  return value;
}

export function numberField(object: Json, key: string, where: Where, parent = ''): number {
  const value = object[key];
  if (typeof value !== 'number') throw wrong(where, fieldName(parent, key), value, 'a number');
  return value;
}

export function asIteration(value: unknown, where: Where, field: string): number {
  if (!isIteration(value)) throw wrong(where, field, value, 'a non-negative integer');
  return value;
}

export function iterationField(object: Json, key: string, where: Where, parent = ''): number {
  return asIteration(object[key], where, fieldName(parent, key));
}

export function objectField(object: Json, key: string, where: Where, parent = ''): Json {
  return asObject(object[key], where, fieldName(parent, key));
}

export function arrayField(object: Json, key: string, where: Where, parent = ''): unknown[] {
  return asArray(object[key], where, fieldName(parent, key));
}

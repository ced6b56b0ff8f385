// Synchronous, on-demand loading of heavy CommonJS-capable packages, so a no-op run that never needs them never loads them.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export function lazy<T>(load: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= load());
}

export const yamlModule = lazy(() => require('yaml') as typeof import('yaml'));
export const ajvModule = lazy(() => require('ajv') as typeof import('ajv'));

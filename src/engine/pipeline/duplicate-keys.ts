// Finds a map key written twice. yaml's own check (uniqueKeys) compares each new key with every earlier one:
// a params map of 120,000 keys took over two minutes to parse. One set per map does it in linear time.
import type { Document, Node } from 'yaml';
import { yamlModule } from '../lazy.js';

/** The offset of the first key (in file order) that repeats an earlier key of its map, as yaml would report it. */
export function firstDuplicateKey(document: Document.Parsed): number | undefined {
  const { isMap, isScalar, isSeq, isPair } = yamlModule();
  let first: number | undefined;
  // An explicit stack: the document may be nested deeper than the call stack allows.
  const stack: unknown[] = [document.contents];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isSeq(node)) {
      for (const item of node.items) stack.push(item);
    } else if (isMap(node)) {
      const seen = new Set<unknown>();
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const key = pair.key as Node | null;
        // Like yaml's default: scalar keys are equal by value; other keys only to themselves (never twice in a map).
        if (isScalar(key)) {
          if (seen.has(key.value)) {
            const at = key.range?.[0];
            if (at !== undefined && (first === undefined || at < first)) first = at;
          }
          seen.add(key.value);
        } else if (key !== null) {
          stack.push(key);
        }
        stack.push(pair.value);
      }
    }
  }
  return first;
}

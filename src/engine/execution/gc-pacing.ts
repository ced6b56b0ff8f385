// How soon V8 collects the runner's old generation while stages run: the peak memory of a long run.
import v8 from 'node:v8';

/**
 * After each full collection V8 lets the old generation grow by a factor it picks from how fast collecting is
 * against how fast the program allocates: for the runner, fast at both, 3 to 4 times what the collection kept.
 * A cold run of 10,000 stages kept about 30 MB at its first collection and was let grow to 97 MB of mostly
 * garbage before its next one: that, not what it holds, made its peak (190 MB; 160 MB growing by 30 % at a
 * time, with the same CPU time). Set once the first stage starts, so a no-op run (which parses its memos and
 * exits) collects as before; left alone when node was started with a growing factor of its own.
 */
export const growingPercent = 30;

let paced = false;

export function paceGarbageCollection(execArgv: readonly string[] = process.execArgv): boolean {
  if (paced) return false;
  paced = true;
  if (execArgv.some((flag) => /^--heap[-_]growing[-_]percent\b/.test(flag))) return false;
  v8.setFlagsFromString(`--heap-growing-percent=${growingPercent}`);
  return true;
}

// Splits a sweep's points over worker threads, each with its own tfjs: wasm runs one thread per tfjs in Node.
import { Worker } from 'node:worker_threads';
import { ComputeError } from '../compute-error.js';
import { runSweepJob, type SweepJob } from './sweep-job.js';
import type { SweepRow } from './sweep.js';

/** Runs `job` on `workers` threads (1: in this thread), points dealt round-robin; rows come back in x order. */
export async function parallelSweep(job: SweepJob, workers: number, log: (line: string) => void = () => {}): Promise<SweepRow[]> {
  const count = Math.max(1, Math.min(workers, job.points));
  if (count === 1) {
    let last = 0;
    return runSweepJob(job, undefined, {
      onProgress: (done, total) => {
        if (Date.now() - last > 10_000 || done === total) {
          last = Date.now();
          log(`${done}/${total} (batch, point) evaluations`);
        }
      },
    });
  }
  const shares = Array.from({ length: count }, (_, w) => Array.from({ length: job.points }, (_, k) => k).filter((k) => k % count === w));
  const runningTypeScript = import.meta.url.endsWith('.ts');
  const entry = new URL(runningTypeScript ? './sweep-worker.ts' : './sweep-worker.js', import.meta.url);
  // Under tsx, `--import tsx` in a worker's execArgv does not reach the worker's ESM loader: register tsx there first.
  const spawn = (workerData: unknown) =>
    runningTypeScript
      ? new Worker(`import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(entry.href)}); })`, { eval: true, workerData })
      : new Worker(entry, { workerData });
  const parts = await Promise.all(
    shares.map(
      (only, w) =>
        new Promise<SweepRow[]>((resolve, reject) => {
          const worker = spawn({ job, only });
          worker.once('message', (message: { rows?: SweepRow[]; error?: string; reason?: string }) => {
            if (message.rows) {
              log(`worker ${w + 1}/${count}: ${message.rows.length} points done`);
              resolve(message.rows);
            } else {
              const reason = message.reason ? ` [${message.reason}]` : '';
              reject(new ComputeError('sweep-worker-failed', `sweep worker ${w + 1}/${count}: ${message.error}${reason}`));
            }
            void worker.terminate();
          });
          worker.once('error', reject);
          worker.once('exit', (code) => {
            if (code !== 0) reject(new Error(`sweep worker ${w + 1} exited with code ${code}`));
          });
        }),
    ),
  );
  return parts
    .flat()
    .sort((a, b) => a.index! - b.index!)
    .map(({ index: _index, ...row }) => row);
}

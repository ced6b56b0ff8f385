// Splits a sweep over worker threads, each with its own tfjs: wasm runs one thread per tfjs in Node.
import { Worker } from 'node:worker_threads';
import { ComputeError } from '../compute-error.js';
import { runSweepJob, type JobShare, type SweepJob } from './sweep-job.js';
import { rowsFromScores, type SweepRow, type SweepScores } from './sweep.js';

/**
 * How `count` workers share a job. Each takes every count-th batch of examples at all points: then the stem's two
 * passes over the data are not repeated per worker. Recomputed BatchNorm statistics need every training batch at a
 * point, so under bn_mode "recompute" each worker takes every count-th point instead.
 */
export function jobShares(job: SweepJob, count: number): JobShare[] {
  if (job.bnMode === 'recompute') {
    return Array.from({ length: count }, (_, w) => ({ only: Array.from({ length: job.points }, (_, k) => k).filter((k) => k % count === w) }));
  }
  return Array.from({ length: count }, (_, index) => ({ shard: { index, count } }));
}

/** Runs `job` on `workers` threads, this one included; rows come back in x order, the same for any worker count. */
export async function parallelSweep(job: SweepJob, workers: number, log: (line: string) => void = () => {}): Promise<SweepRow[]> {
  const count = Math.max(1, job.bnMode === 'recompute' ? Math.min(workers, job.points) : workers);
  if (count === 1) {
    let last = 0;
    const scores = await runSweepJob(
      job,
      {},
      {
        onProgress: (done, total) => {
          if (Date.now() - last > 10_000 || done === total) {
            last = Date.now();
            log(`${done}/${total} (batch, point) evaluations`);
          }
        },
      },
    );
    return rowsFromScores([scores], false);
  }
  const runningTypeScript = import.meta.url.endsWith('.ts');
  const entry = new URL(runningTypeScript ? './sweep-worker.ts' : './sweep-worker.js', import.meta.url);
  // Under tsx, `--import tsx` in a worker's execArgv does not reach the worker's ESM loader: register tsx there first.
  const spawn = (workerData: unknown) =>
    runningTypeScript
      ? new Worker(`import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(entry.href)}); })`, { eval: true, workerData })
      : new Worker(entry, { workerData });
  const [own, ...others] = jobShares(job, count);
  const spawned = others.map(
    (share, w) =>
      new Promise<SweepScores>((resolve, reject) => {
        const worker = spawn({ job, share });
        worker.once('message', (message: { scores?: SweepScores; error?: string; reason?: string }) => {
          if (message.scores) {
            log(`worker ${w + 2}/${count}: done`);
            resolve(message.scores);
          } else {
            const reason = message.reason ? ` [${message.reason}]` : '';
            reject(new ComputeError('sweep-worker-failed', `sweep worker ${w + 2}/${count}: ${message.error}${reason}`));
          }
          void worker.terminate();
        });
        worker.once('error', reject);
        worker.once('exit', (code) => {
          if (code !== 0) reject(new Error(`sweep worker ${w + 2} exited with code ${code}`));
        });
      }),
  );
  // This thread takes the first share itself: its tfjs is loaded already, and a worker costs a start-up.
  const parts = await Promise.all([runSweepJob(job, own).then((scores) => (log(`worker 1/${count}: done`), scores)), ...spawned]);
  return rowsFromScores(parts, false);
}

// Worker-thread entry: runs its share of a sweep's points with its own tfjs (wasm is single-threaded in Node) and posts the rows.
import { parentPort, workerData } from 'node:worker_threads';
import { runSweepJob, type SweepJob } from './sweep-job.js';

const { job, only } = workerData as { job: SweepJob; only: number[] };
runSweepJob(job, only, { selectBackend: true }).then(
  (rows) => parentPort!.postMessage({ rows }),
  (error: unknown) => parentPort!.postMessage({ error: (error as Error).message, reason: (error as { reason?: string }).reason }),
);

// Worker-thread entry: runs its share of a sweep with its own tfjs (wasm is single-threaded in Node) and posts the scores.
import { parentPort, workerData } from 'node:worker_threads';
import { runSweepJob, type JobShare, type SweepJob } from './sweep-job.js';

const { job, share } = workerData as { job: SweepJob; share: JobShare };
runSweepJob(job, share, { selectBackend: true }).then(
  (scores) => parentPort!.postMessage({ scores }),
  (error: unknown) => parentPort!.postMessage({ error: (error as Error).message, reason: (error as { reason?: string }).reason }),
);

// The Slurm executor's parts in one import: the client, batch scripts, polling, recovery after a crash.
export { CACHE_NOT_VISIBLE_EXIT, renderBatchScript, writeBatchScript } from './batch-script.js';
export { SlurmError, type SlurmReason } from './errors.js';
export { createCommandRunner, type CommandResult, type SlurmCommandRunner } from './command.js';
export { mapSlurmState, queryJobs } from './poll.js';
export { JobPoller } from './poller.js';
export { attachSlurmStage, startSlurmStage, stageExitOf, type RunningSlurmStage, type SlurmStageExit } from './run-stage.js';
export { findLiveJobs, readJobRecord, recordJob, forgetJobs, type LiveJob, type RecordedJob } from './recover.js';
export { isFinal, isLive, type JobState, type JobStatus, type SlurmJob } from './types.js';
export { SlurmClient, type SlurmClientOptions } from './client.js';

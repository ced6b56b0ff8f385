// The runner's PIPELINE_* variables as one typed value: the only place the stage programs read them (docs/stage-interface.md).

export interface StageEnv {
  /** PIPELINE_PARAMS: the stage's resolved params, a JSON file. */
  params?: string;
  /** PIPELINE_SCRATCH: a folder tied to the stage key that outlives a failed run (resumable stages). */
  scratch?: string;
  /** PIPELINE_UPSTREAM: provenance of every upstream stage, a JSON file. */
  upstream?: string;
  /** PIPELINE_STAGE is set: the runner started this program, and it runs stages side by side already. */
  underRunner: boolean;
}

/** Reads the variables; an empty one counts as unset, as a shell `${X:-}` would. */
export function stageEnv(env: NodeJS.ProcessEnv = process.env): StageEnv {
  return {
    params: env.PIPELINE_PARAMS || undefined,
    scratch: env.PIPELINE_SCRATCH || undefined,
    upstream: env.PIPELINE_UPSTREAM || undefined,
    underRunner: Boolean(env.PIPELINE_STAGE),
  };
}

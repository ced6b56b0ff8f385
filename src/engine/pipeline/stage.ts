// The shape of one stage after fan-out expansion: what the rest of the engine works with.
import type { CommandPart } from './command.js';

export interface Resources {
  gpu: number;
  cpu: number;
}

export interface StageDefinition {
  /** Full name: `train`, or `sweep@mnist_lenet@100` for a fan-out member. */
  name: string;
  /** The fan-out group this stage belongs to (`sweep`), if any. */
  group?: string;
  /** Member key inside the group (`mnist_lenet@100`). */
  memberKey?: string;
  /** What the key hashes: the command with params and loop variables resolved, ${out}, ${in.X}, ${scratch} symbolic. */
  cmd: string;
  /** The same command as shell text and run-time references: what runs (params are not expanded again). */
  command: CommandPart[];
  deps: string[];
  /** The entry file of the stage's program: it and the project files it imports are deps too. */
  program?: string;
  params: Record<string, unknown>;
  /** Input name → the stage or group it reads. */
  needs: Record<string, string>;
  resources: Resources;
  env: Record<string, string>;
  resumable: boolean;
  metrics: string[];
  /** Path inside the output ('' = all of it) → destination relative to the project root. */
  publish: Record<string, string>;
  deterministic: boolean;
  /** Gets PIPELINE_UPSTREAM, and its key covers what that file holds (src/engine/fingerprint/provenance.ts). */
  provenance: boolean;
  /** `pipeline verify`'s tolerance for metrics; `metrics` maps name patterns to their own (src/engine/commands/verify-tolerance.ts). */
  verify?: { rtol?: number; atol?: number; metrics?: Record<string, { rtol?: number; atol?: number }> };
  /** Key path of the stage body in pipeline.yaml, for located error messages. */
  sourcePath: (string | number)[];
}

// What a run reports as it goes; renderers (listr2 in a terminal, plain lines in CI) only consume these.

export type RunEvent =
  | { type: 'plan'; stages: string[]; jobs: number; gpus: string[]; gpuSource: string; dryRun: boolean }
  | { type: 'fresh'; stage: string }
  | { type: 'restored'; stage: string; key: string; from?: 'remote' }
  | { type: 'corrupt'; stage: string; why: string }
  | { type: 'would-run'; stage: string; reasons: string[] }
  | { type: 'start'; stage: string; reasons: string[]; gpus: string[] }
  | { type: 'done'; stage: string; seconds: number; key: string }
  | { type: 'failed'; stage: string; why: string; log: string; tail: string[] }
  | { type: 'skipped'; stage: string; because: string }
  | { type: 'published'; stage: string; destination: string; files: number }
  | { type: 'note'; message: string }
  | { type: 'finished'; ran: number; fresh: number; restored: number; failed: number; skipped: number; seconds: number };

export interface Renderer {
  event(event: RunEvent): void;
  close(): Promise<void> | void;
}

// Runs a stage program's main: a typed error becomes one line and exit 1, a usage error exit 2; only real bugs show a stack.
import { CommanderError } from 'commander';
import { isTypedError, TypedError } from '../../src/typed-error.js';

/** A wrong or missing flag value: exit 2. */
export class UsageError extends TypedError<'bad-usage'> {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('bad-usage', message, { cause: options.cause, usage: true });
    this.name = 'UsageError';
  }
}

/**
 * Runs `main` and exits: 0, or 2 for a typed error whose reason is a usage error (the user asked for something
 * invalid, e.g. an unknown model; each error class's table says which reasons are), or 1 for any other failure.
 */
export function runStage(name: string, main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? 0 : 2); // commander printed its message already
      const reason = (error as { reason?: unknown }).reason;
      if (isTypedError(error) && error.usage) {
        console.error(`${name}: ${(error as Error).message}`);
        process.exit(2);
      }
      if (typeof reason === 'string') console.error(`${name}: ${(error as Error).message} [${reason}]`);
      else if (isWasmAbort(error)) {
        // XNNPACK running out of its heap ends in a bare "Aborted()": say what it most likely means and what to do.
        console.error(
          `${name}: the wasm backend aborted (${(error as Error).message}), most often because its heap (at most 4 GB) is exhausted; a model this size needs the tensorflow or tensorflow-gpu backend (@tensorflow/tfjs-node[-gpu]) or a smaller batch_size [wasm-aborted]`,
        );
      } else console.error(`${name}: unexpected failure`, error);
      process.exit(1);
    },
  );
}

function isWasmAbort(error: unknown): boolean {
  return error instanceof Error && error.name === 'RuntimeError' && error.message.startsWith('Aborted(');
}

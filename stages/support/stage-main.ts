// Runs a stage program's main: a typed error becomes one line and exit 1, a usage error exit 2; only real bugs show a stack.
import { CommanderError } from 'commander';

/** A wrong or missing flag value: exit 2. */
export class UsageError extends Error {
  readonly reason = 'bad-usage';
}

/**
 * Runs `main` and exits. `usageReasons`: typed errors (a kebab-case `reason`) that mean the user asked for something
 * invalid, e.g. an unknown model: exit 2 like a UsageError, not 1.
 */
export function runStage(name: string, main: () => Promise<void>, options: { usageReasons?: readonly string[] } = {}): void {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? 0 : 2); // commander printed its message already
      const reason = (error as { reason?: unknown }).reason;
      if (error instanceof UsageError || (typeof reason === 'string' && options.usageReasons?.includes(reason))) {
        console.error(`${name}: ${(error as Error).message}`);
        process.exit(2);
      }
      if (typeof reason === 'string') console.error(`${name}: ${(error as Error).message} [${reason}]`);
      else if (isWasmAbort(error)) {
        // XNNPACK running out of its heap ends in a bare "Aborted()": say what it most likely means and what to do.
        console.error(`${name}: the wasm backend aborted (${(error as Error).message}), most often because its heap (at most 4 GB) is exhausted; a model this size needs the tensorflow or tensorflow-gpu backend (@tensorflow/tfjs-node[-gpu]) or a smaller batch_size [wasm-aborted]`);
      } else console.error(`${name}: unexpected failure`, error);
      process.exit(1);
    },
  );
}

function isWasmAbort(error: unknown): boolean {
  return error instanceof Error && error.name === 'RuntimeError' && error.message.startsWith('Aborted(');
}

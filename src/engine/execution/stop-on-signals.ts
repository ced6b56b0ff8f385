// Ctrl-C and SIGTERM stop a scheduler's running stages (a second one exits at once), for every command that runs stages.
import type { Renderer } from '../logging/events.js';

interface Interruptible {
  interrupt(): Promise<void>;
}

/** Routes SIGINT/SIGTERM to `scheduler.interrupt()` until the returned function is called. */
export function stopOnSignals(scheduler: Interruptible, renderer: Renderer): () => void {
  let interrupts = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupts += 1;
    if (interrupts > 1) process.exit(130); // A second Ctrl-C: the user wants out now.
    renderer.event({ type: 'note', message: `${signal}: stopping running stages…` });
    void scheduler.interrupt();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}

// Lines for a stream, written once per event-loop turn: a 10,000-stage no-op prints 10,000 "fresh" lines, one write each cost a quarter of its CPU.

export interface LineSink {
  (line: string): void;
  /** Writes what is pending now (at close, before the process exits). */
  flush(): void;
}

/** Collects lines and writes them in one `write` at the end of the current turn (and at process exit). */
export function batchedLines(write: (text: string) => void): LineSink {
  let pending: string[] = [];
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (pending.length === 0) return;
    const text = `${pending.join('\n')}\n`;
    pending = [];
    write(text);
  };
  const sink = ((line: string) => {
    pending.push(line);
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  }) as LineSink;
  sink.flush = flush;
  flushAtExit.add(flush);
  return sink;
}

/** A command that ends with process.exit() (a second Ctrl-C) still prints what it said: one listener for every sink. */
const flushAtExit = new Set<() => void>();
process.once('exit', () => {
  for (const flush of flushAtExit) flush();
});

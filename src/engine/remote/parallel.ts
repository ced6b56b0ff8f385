// A limit on transfers in flight, shared by every entry of a command so many small entries still fill the pipe.

export type Limit = <T>(task: () => Promise<T>) => Promise<T>;

export function transferLimit(concurrency: number): Limit {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    if (active >= concurrency) await new Promise<void>((resolve) => waiting.push(resolve));
    active += 1;
    try {
      return await task();
    } finally {
      active -= 1;
      waiting.shift()?.();
    }
  };
}

// Preloaded into the runner (node --import) to record its peak memory and the bytes it read, in the file NOOP_PROBE_OUT names.
import fs from 'node:fs';

const target = process.env.NOOP_PROBE_OUT;

/** rchar counts every byte read through read(2), page cache included: it shows whether a big dep was re-read. */
function bytesRead() {
  try {
    const line = fs
      .readFileSync('/proc/self/io', 'utf8')
      .split('\n')
      .find((entry) => entry.startsWith('rchar:'));
    return line ? Number(line.slice('rchar:'.length)) : null;
  } catch {
    return null; // Not Linux, or /proc is hidden: the benchmark reports "n/a".
  }
}

if (target) {
  process.on('exit', () => {
    // maxRSS is in kilobytes.
    fs.writeFileSync(target, JSON.stringify({ maxRssBytes: process.resourceUsage().maxRSS * 1024, bytesRead: bytesRead() }));
  });
}

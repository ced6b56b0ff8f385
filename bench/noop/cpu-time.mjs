// CPU time (user + system) of commands run in turns, which load on a shared machine moves far less than wall time.
// usage: node bench/noop/cpu-time.mjs [--runs N] 'LABEL=COMMAND' …   (each COMMAND run by bash, output discarded)
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({ options: { runs: { type: 'string', default: '20' } }, allowPositionals: true });
const commands = positionals.map((text) => {
  const at = text.indexOf('=');
  if (at < 1) throw new Error(`expected LABEL=COMMAND, got ${text}`);
  return [text.slice(0, at), text.slice(at + 1)];
});

/** bash's `times` prints, on its second line, the user and system time of the children it waited for. */
function cpuSeconds(command) {
  const result = spawnSync('bash', ['-c', `${command} >/dev/null 2>&1; status=$?; times; exit $status`], { encoding: 'utf8', env: { ...process.env, CI: 'true' } });
  if (result.status !== 0) throw new Error(`${command} exited ${result.status}`);
  const children = result.stdout.trim().split('\n')[1];
  return children.split(/\s+/).reduce((sum, part) => {
    const [, minutes, seconds] = part.match(/(\d+)m([\d.]+)s/);
    return sum + Number(minutes) * 60 + Number(seconds);
  }, 0);
}

const samples = new Map(commands.map(([label]) => [label, []]));
for (let run = 0; run < Number(values.runs); run++) for (const [label, command] of commands) samples.get(label).push(cpuSeconds(command));
const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
for (const [label, list] of samples) console.log(`${label.padEnd(24)} CPU median ${median(list).toFixed(3)} s  min ${Math.min(...list).toFixed(3)} s  (${list.length} runs)`);

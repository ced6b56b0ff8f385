// The processes below a process, by parent links in /proc: what a stage started in a session or group of its own.
import fs from 'node:fs';

/** Every pid /proc shows (Linux; elsewhere none). */
export function processIds(): number[] {
  try {
    return fs
      .readdirSync('/proc')
      .filter((entry) => /^\d+$/.test(entry))
      .map(Number);
  } catch {
    return [];
  }
}

/** Parent pid → child pids, for every process /proc shows (Linux; elsewhere an empty map). */
function childrenByParent(): Map<number, number[]> {
  const children = new Map<number, number[]>();
  for (const pid of processIds()) {
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // Gone.
    }
    // Field 4 is the parent; the command name before it (field 2) may hold spaces and parentheses.
    const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    const list = children.get(parent);
    if (list) list.push(pid);
    else children.set(parent, [pid]);
  }
  return children;
}

/** Every process below `pid` (children, their children, …), however they left its group or session. */
export function descendantsOf(pid: number): number[] {
  const children = childrenByParent();
  const found: number[] = [];
  const stack = [...(children.get(pid) ?? [])];
  while (stack.length > 0) {
    const next = stack.pop()!;
    found.push(next);
    stack.push(...(children.get(next) ?? []));
  }
  return found;
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}

/**
 * Kills the process group `pgid` and everything below its leader, including children that left the group
 * (`setsid`, `setsid env -i`). The group and each process found are stopped first, until no new one
 * appears, so nothing forks past the walk; then all of them get SIGKILL. Only children whose chain of parents
 * up to the leader is still alive are found: one whose parent exited was handed to init.
 */
export function killGroupAndDescendants(pgid: number): void {
  const stopped = new Set<number>();
  try {
    process.kill(-pgid, 'SIGSTOP');
  } catch {
    // An empty group: its leader may still have children elsewhere only if it lives, and then it is in the group.
  }
  for (let round = 0; round < 10; round++) {
    const fresh = descendantsOf(pgid).filter((pid) => !stopped.has(pid));
    if (fresh.length === 0) break;
    for (const pid of fresh) {
      signal(pid, 'SIGSTOP');
      stopped.add(pid);
    }
  }
  signal(-pgid, 'SIGKILL');
  for (const pid of stopped) signal(pid, 'SIGKILL');
}

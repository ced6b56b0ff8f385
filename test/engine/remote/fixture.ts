// Two-stage projects that share a remote: each stage notes in ran.txt that it ran, so a test sees what was fetched instead.
import fs from 'node:fs';
import path from 'node:path';
import { Project } from '../rig.js';

/** Relative paths only: the keys must be the same in every clone. */
export const pipelineYaml = (extra = '') => `${extra}params:
  lines: 300000
stages:
  gen:
    cmd: "echo gen >> ran.txt && mkdir -p \${out}/sub && seq 1 \${params.lines} > \${out}/big.txt && echo hello > \${out}/sub/x.txt && ln -s sub/x.txt \${out}/link"
    params: { lines: "\${params.lines}" }
    deterministic: true
  use:
    cmd: "echo use >> ran.txt && wc -l < \${in.gen}/big.txt > \${out}/count.txt && echo '{\\"n\\": 3}' > \${out}/m.json"
    needs: [gen]
    metrics: [m.json]
    publish: { count.txt: reports/count.txt }
`;

export function makeProject(extra = ''): Project {
  const project = new Project();
  project.pipeline(pipelineYaml(extra));
  return project;
}

/** A fresh clone of `from`: its pipeline.yaml and pipeline.lock, no cache/, no reports/. */
export function cloneOf(from: Project): Project {
  const clone = new Project();
  for (const file of ['pipeline.yaml', 'pipeline.lock']) fs.copyFileSync(path.join(from.dir, file), path.join(clone.dir, file));
  return clone;
}

/** The stages that ran since the last call (and forgets them). */
export function ran(project: Project): string[] {
  const file = path.join(project.dir, 'ran.txt');
  if (!fs.existsSync(file)) return [];
  const names = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
  fs.rmSync(file);
  return names;
}

/** What is under cache/tmp/ (staging left behind would show here) and the entries, by name. */
export function cacheState(project: Project): { tmp: string[]; entries: string[] } {
  const tmp = path.join(project.dir, 'cache/tmp');
  return { tmp: fs.existsSync(tmp) ? fs.readdirSync(tmp) : [], entries: project.entries().sort() };
}

/** Lines of output that mention the remote. */
export function remoteLines(output: string): string[] {
  return output.split('\n').filter((line) => line.includes('remote'));
}

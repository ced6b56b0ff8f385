// `pipeline push [STAGE…]`: sends the entries pipeline.lock names (all, or those of the STAGEs) to the remote, blobs first, records last.
import { expandNames } from '../execution/selection.js';
import { readLock } from '../lock/lockfile.js';
import { openProjectFile } from '../project.js';
import { transferLimit } from '../remote/parallel.js';
import { pushEntry } from '../remote/push-entry.js';
import { requireRemote, settingsFromEnv } from '../remote/resolve.js';
import { TransferReport } from '../remote/transfer-report.js';

export interface TransferOptions {
  file: string;
  stages: string[];
  remote?: string;
}

/** The stages to move and their keys in the lock; stages the lock does not name are said and counted missing. */
export function lockedTargets(file: string, stages: readonly string[], report: TransferReport) {
  const project = openProjectFile(file);
  const locked = readLock(project.lockFile, project.lockMemo).stages;
  const names = stages.length === 0 ? project.pipeline.order : [...expandNames(project.pipeline, stages)];
  const targets: { stage: string; key: string }[] = [];
  for (const stage of names) {
    const key = locked[stage]?.key;
    if (key !== undefined) targets.push({ stage, key });
    else {
      report.missing += 1;
      report.line(`not locked ${stage}: ${project.lockFile} names no result for it; \`pipeline run\` computes it`);
    }
  }
  return { project, targets };
}

export async function pushCommand(options: TransferOptions, write: (text: string) => void = (text) => process.stdout.write(text)): Promise<number> {
  const report = new TransferReport(write);
  const { project, targets } = lockedTargets(options.file, options.stages, report);
  const remote = requireRemote(project.pipeline, options.remote, 'pipeline push');
  const limit = transferLimit(settingsFromEnv().connections);
  try {
    await Promise.all(
      targets.map(async ({ stage, key }) => {
        const entry = project.store.read(key);
        if (!entry) {
          report.missing += 1;
          report.line(`missing    ${stage}: no entry in cache/ for its locked key ${key.slice(0, 12)}; \`pipeline run\` or \`pipeline pull\` first`);
          return;
        }
        try {
          if ((await pushEntry(remote, entry, limit)) === 'present') {
            report.already += 1;
            return;
          }
          report.moved += 1;
          report.bytes += entry.manifest.bytes;
          report.line(`pushed     ${stage} (${entry.manifest.files.length} file(s))`);
        } catch (error) {
          report.failure(stage, error, remote.name);
        }
      }),
    );
  } finally {
    remote.close();
  }
  report.line(report.summary('pushed', `already on ${remote.name}`));
  return report.failed + report.missing > 0 ? 1 : 0;
}

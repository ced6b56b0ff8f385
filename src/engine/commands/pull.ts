// `pipeline pull [STAGE…]`: fetches the entries pipeline.lock names from the remote (verified, committed atomically) and publishes them as run does.
import { newRunId } from '../cache/run-dirs.js';
import { removeTree, type Entry } from '../cache/store.js';
import { checkPublishDestinations, publishEntry } from '../execution/publish.js';
import { acquireRunLock } from '../lock/run-lock.js';
import { fetchEntry } from '../remote/fetch-entry.js';
import { transferLimit } from '../remote/parallel.js';
import { requireRemote, settingsFromEnv } from '../remote/resolve.js';
import { TransferReport } from '../remote/transfer-report.js';
import { lockedTargets, type TransferOptions } from './push.js';

export async function pullCommand(options: TransferOptions & { waitSeconds?: number }, write: (text: string) => void = (text) => process.stdout.write(text)): Promise<number> {
  const report = new TransferReport(write);
  const { project, targets } = lockedTargets(options.file, options.stages, report);
  const remote = requireRemote(project.pipeline, options.remote, 'pipeline pull');
  project.store.checkLayout();
  checkPublishDestinations(
    project,
    targets.map((target) => target.stage),
  );
  // It writes cache/ and reports/, as a run does: not while one runs.
  const lock = await acquireRunLock(project.runLockFile, 'pipeline pull', (options.waitSeconds ?? 0) * 1000);
  const workDir = project.store.openRun(newRunId());
  const context = { remote, store: project.store, hashes: project.hashes, limit: transferLimit(settingsFromEnv().connections), workDir };
  const present = new Map<string, Entry>();
  try {
    await Promise.all(
      targets.map(async ({ stage, key }) => {
        const local = project.store.inspect(key);
        if (local && !('damaged' in local) && !(await project.store.check(local, project.hashes))) {
          report.already += 1;
          present.set(stage, local);
          return;
        }
        if (local) project.store.discard(key, project.hashes);
        try {
          const entry = await fetchEntry(context, key);
          if (!entry) {
            report.missing += 1;
            report.line(`missing    ${stage}: ${remote.name} has no entry for its locked key ${key.slice(0, 12)}`);
            return;
          }
          present.set(stage, entry);
          report.moved += 1;
          report.bytes += entry.manifest.bytes;
          report.line(`pulled     ${stage} (${entry.manifest.files.length} file(s))`);
        } catch (error) {
          report.failure(stage, error, remote.name);
        }
      }),
    );
    // Published in pipeline order, as run would, once every entry is whole in cache/.
    for (const { stage } of targets) {
      const entry = present.get(stage);
      const publish = project.pipeline.stages.get(stage)?.publish ?? {};
      if (!entry || Object.keys(publish).length === 0) continue;
      for (const result of await publishEntry(project.pipeline.root, entry, publish, project.hashes)) {
        if (result.files > 0) report.line(`published  ${stage} → ${result.destination} (${result.files} file(s) updated)`);
      }
    }
  } finally {
    project.hashes.save();
    removeTree(workDir);
    remote.close();
    lock.release();
  }
  report.line(report.summary('pulled', 'already in cache/'));
  return report.failed + report.missing > 0 ? 1 : 0;
}

// Finds out once whether the cluster keeps accounting (slurmdbd), which decides whether sacct can be asked.
import { runChecked, type SlurmCommandRunner } from './command.js';

/** `scontrol show config` prints `AccountingStorageType = accounting_storage/none` when there is no accounting. */
export function accountingFromConfig(configText: string): boolean {
  const match = /^AccountingStorageType\s*=\s*(\S+)/m.exec(configText);
  return match !== null && match[1] !== 'accounting_storage/none' && match[1] !== '(null)';
}

export async function detectAccounting(run: SlurmCommandRunner): Promise<boolean> {
  const result = await runChecked(run, 'scontrol', ['show', 'config']);
  return accountingFromConfig(result.stdout);
}

// Builds a dataset in a hidden folder inside the output dir and moves it into place only when complete.
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { hashFile } from './hash-file.js';
import { writeDatasetManifest, type DatasetManifest } from '../../../artifacts/dataset-manifest.js';

export class Staging {
  private constructor(
    readonly out: string,
    readonly dir: string,
  ) {}

  static async create(out: string): Promise<Staging> {
    const dir = path.join(out, `.incoming-${process.pid}`);
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    return new Staging(out, dir);
  }

  /** A scratch folder beside the staged files (e.g. for extracting an archive), removed on commit and abort. */
  get workDir(): string {
    return `${this.dir}-work`;
  }

  path(name: string): string {
    return path.join(this.dir, name);
  }

  /** SHA-256 of every staged file, by name (sorted). */
  async hashes(): Promise<Record<string, string>> {
    const names = (await readdir(this.dir)).sort();
    const entries = await Promise.all(names.map(async (name) => [name, await hashFile(this.path(name), { algorithm: 'sha256' })] as const));
    return Object.fromEntries(entries);
  }

  /** Moves the staged files into the output dir, then writes dataset.json last (atomically), so it only exists for a whole dataset. */
  async commit(manifest: DatasetManifest): Promise<void> {
    for (const name of await readdir(this.dir)) await rename(this.path(name), path.join(this.out, name));
    await this.abort();
    await writeDatasetManifest(this.out, manifest);
  }

  async abort(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
    await rm(this.workDir, { recursive: true, force: true });
  }
}

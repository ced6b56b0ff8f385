// A remote that is a directory (a shared file system, as on a Slurm cluster): writes go to a temporary file, then rename.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { fromSystemError, RemoteError } from './errors.js';
import { blobPath, recordPath } from './layout.js';
import type { BlobDownload, Remote } from './remote.js';

export class DirectoryRemote implements Remote {
  readonly name: string;

  constructor(readonly root: string) {
    this.name = root;
  }

  /** Reads need the directory to exist: a missing one is an unmounted share, not an empty remote. */
  private checkRoot(): void {
    let stat: fs.Stats | undefined;
    try {
      stat = fs.statSync(this.root, { throwIfNoEntry: false });
    } catch (error) {
      throw fromSystemError(`remote ${this.name}`, error);
    }
    if (!stat) throw new RemoteError('remote-unreachable', `remote ${this.name}: no such directory (is the shared file system mounted?)`);
    if (!stat.isDirectory()) throw new RemoteError('remote-unreachable', `remote ${this.name}: not a directory`);
  }

  private async exists(relative: string): Promise<boolean> {
    this.checkRoot();
    try {
      await fs.promises.access(path.join(this.root, relative));
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw fromSystemError(`remote ${this.name}`, error);
    }
  }

  hasBlob(sha256: string): Promise<boolean> {
    return this.exists(blobPath(sha256));
  }

  hasRecord(key: string): Promise<boolean> {
    return this.exists(recordPath(key));
  }

  async openBlob(sha256: string): Promise<BlobDownload | undefined> {
    this.checkRoot();
    const file = path.join(this.root, blobPath(sha256));
    try {
      const handle = await fs.promises.open(file, 'r');
      const { size } = await handle.stat();
      return { stream: handle.createReadStream({ highWaterMark: 1 << 20 }), size };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw fromSystemError(`remote ${this.name}`, error);
    }
  }

  async getRecord(key: string): Promise<Buffer | undefined> {
    this.checkRoot();
    try {
      return await fs.promises.readFile(path.join(this.root, recordPath(key)));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw fromSystemError(`remote ${this.name}`, error);
    }
  }

  async putBlob(sha256: string, size: number, source: () => Readable): Promise<void> {
    await this.writeAtomically(blobPath(sha256), async (temporary) => {
      await pipeline(source(), fs.createWriteStream(temporary, { flags: 'wx', mode: 0o444 }));
      const written = (await fs.promises.stat(temporary)).size;
      if (written !== size) throw new RemoteError('remote-local-damage', `${sha256.slice(0, 12)}: read ${written} bytes, expected ${size}`);
    });
  }

  async putRecord(key: string, bytes: Buffer): Promise<void> {
    await this.writeAtomically(recordPath(key), (temporary) => fs.promises.writeFile(temporary, bytes, { flag: 'wx', mode: 0o444 }));
  }

  /**
   * Writes into tmp/ beside the store, then renames into place: a reader sees the whole file or none, and two
   * writers of the same content-addressed name both succeed (the second rename replaces identical bytes).
   */
  private async writeAtomically(relative: string, write: (temporary: string) => Promise<void>): Promise<void> {
    const final = path.join(this.root, relative);
    const temporary = path.join(this.root, 'tmp', `${path.basename(relative)}.${process.pid}.${crypto.randomBytes(6).toString('hex')}`);
    try {
      await fs.promises.mkdir(path.dirname(temporary), { recursive: true });
      await fs.promises.mkdir(path.dirname(final), { recursive: true });
      await write(temporary);
      await fs.promises.rename(temporary, final);
    } catch (error) {
      await fs.promises.rm(temporary, { force: true });
      throw fromSystemError(`remote ${this.name}`, error);
    }
  }

  close(): void {}
}

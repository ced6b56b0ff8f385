// CIFAR-10 (binary version): downloaded and MD5-verified, or taken from a local tarball or extracted folder, then checked record by record.
import { copyFile, mkdir, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { hashFile } from './hash-file.js';
import * as tar from 'tar';
import { CIFAR10_ARCHIVE_DIR, CIFAR10_CLASSES, CIFAR10_FILES, CIFAR10_META, CIFAR10_SHAPE, parseCifarRecords } from '../cifar10.js';
import { DataError } from '../errors.js';
import type { DatasetManifest } from '../manifest.js';
import { downloadVerified } from './download.js';
import type { Staging } from './staging.js';

export interface CifarSource {
  /** A local .tar.gz or an extracted folder; when absent, `url` is downloaded into `cacheDir`. */
  from?: string;
  url: string;
  md5: string;
  cacheDir: string;
  log: (line: string) => void;
}

export async function fetchCifar10(staging: Staging, source: CifarSource): Promise<DatasetManifest> {
  let folder: string;
  let extracted: string | undefined;
  if (source.from !== undefined && (await isDirectory(source.from))) {
    folder = (await isDirectory(path.join(source.from, CIFAR10_ARCHIVE_DIR))) ? path.join(source.from, CIFAR10_ARCHIVE_DIR) : source.from;
  } else {
    const tarball = source.from ?? (await download(source));
    if (source.from !== undefined) {
      const actual = await hashFile(tarball, { algorithm: 'md5' }).catch((cause: unknown) => {
        throw new DataError('dataset-missing', `${tarball}: cannot read`, { cause });
      });
      if (actual !== source.md5) throw new DataError('checksum-mismatch', `${tarball}: MD5 ${actual}, expected ${source.md5}`);
    }
    extracted = staging.workDir;
    await extract(tarball, extracted);
    folder = path.join(extracted, CIFAR10_ARCHIVE_DIR);
  }
  try {
    const counts = { train: 0, test: 0 };
    for (const split of ['train', 'test'] as const) {
      for (const name of CIFAR10_FILES[split]) {
        const file = path.join(folder, name);
        const bytes = await readFile(file).catch((cause: unknown) => {
          throw new DataError('dataset-missing', `${file}: missing from the CIFAR-10 data`, { cause });
        });
        counts[split] += parseCifarRecords(new Uint8Array(bytes), file).labels.length;
        await copyFile(file, staging.path(name));
      }
    }
    if (await isFile(path.join(folder, CIFAR10_META))) await copyFile(path.join(folder, CIFAR10_META), staging.path(CIFAR10_META));
    return { name: 'cifar10', ...counts, shape: [...CIFAR10_SHAPE], classes: CIFAR10_CLASSES, files: await staging.hashes() };
  } finally {
    if (extracted !== undefined) await rm(extracted, { recursive: true, force: true });
  }
}

async function download(source: CifarSource): Promise<string> {
  await mkdir(source.cacheDir, { recursive: true });
  const dest = path.join(source.cacheDir, `cifar-10-binary-${source.md5}.tar.gz`);
  await downloadVerified({ url: source.url, dest, md5: source.md5, log: source.log });
  return dest;
}

async function extract(tarball: string, into: string): Promise<void> {
  await rm(into, { recursive: true, force: true });
  await mkdir(into, { recursive: true });
  try {
    await tar.x({ file: tarball, cwd: into, strict: true, filter: (entry) => entry.replace(/^\.\//, '').split('/')[0] === CIFAR10_ARCHIVE_DIR });
  } catch (cause) {
    await rm(into, { recursive: true, force: true });
    throw new DataError('archive-invalid', `${tarball}: not a readable .tar.gz (${(cause as Error).message})`, { cause });
  }
}

async function isDirectory(file: string): Promise<boolean> {
  return stat(file).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

async function isFile(file: string): Promise<boolean> {
  return stat(file).then(
    (s) => s.isFile(),
    () => false,
  );
}

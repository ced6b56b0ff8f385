// The Remote interface: a content-addressed store of blobs (by SHA-256) and records (stage key → manifest) somewhere else.
import type { Readable } from 'node:stream';

/** A blob being read from a remote: bytes as a stream, never whole in memory. */
export interface BlobDownload {
  stream: Readable;
  /** The size the remote announced, when it did (Content-Length, a file's size). */
  size?: number;
}

export interface Remote {
  /** What messages call it: its URL or directory, never with credentials. */
  readonly name: string;
  hasBlob(sha256: string): Promise<boolean>;
  /** Undefined when the remote does not have it. The caller checks the bytes against the hash. */
  openBlob(sha256: string): Promise<BlobDownload | undefined>;
  /**
   * Stores a blob from `source`, which yields exactly `size` bytes. Visible under its hash only once complete:
   * two runs storing the same blob at once both succeed and leave one whole copy.
   */
  putBlob(sha256: string, size: number, source: () => Readable): Promise<void>;
  /** A record's bytes (small JSON), or undefined when the remote has none for this key. */
  getRecord(key: string): Promise<Buffer | undefined>;
  hasRecord(key: string): Promise<boolean>;
  /** Stored atomically, after every blob it names. */
  putRecord(key: string, bytes: Buffer): Promise<void>;
  /** Lets the process exit: closes kept-alive connections. */
  close(): void;
}

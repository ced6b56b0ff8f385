// Where a remote keeps things, the same for every kind: blobs/sha256/ab/<hash> and records/<key>.json.
const sha256Pattern = /^[0-9a-f]{64}$/;

/** Refuses anything but a lowercase SHA-256 before it becomes part of a path or URL. */
function checked(hash: string): string {
  if (!sha256Pattern.test(hash)) throw new Error(`not a SHA-256: ${JSON.stringify(hash).slice(0, 80)}`);
  return hash;
}

/** Two-character fan-out keeps any one directory of a large remote small. */
export function blobPath(sha256: string): string {
  const hash = checked(sha256);
  return `blobs/sha256/${hash.slice(0, 2)}/${hash}`;
}

export function recordPath(key: string): string {
  return `records/${checked(key)}.json`;
}

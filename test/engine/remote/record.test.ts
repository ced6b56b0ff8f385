// What a record from the wire must be before anything is written: its key's, consistent, and naming only paths inside its output.
import { describe, expect, it } from 'vitest';
import { outputHash } from '../../../src/engine/cache/manifest.js';
import { keyOf, type FingerprintRecord } from '../../../src/engine/fingerprint/fingerprint.js';
import { decodeRecord } from '../../../src/engine/remote/record.js';

const inputs: FingerprintRecord = { cmd: 'echo', params: {}, deps: {}, needs: {}, env: {}, toolchain: {} };
const key = keyOf(inputs);
const sha = 'a'.repeat(64);

function record(files: { path: string; size: number; sha256: string }[], links: { path: string; target: string }[] = [], override: Record<string, unknown> = {}) {
  const output = outputHash(files, links);
  const manifest = { version: 1, files, links, output_hash: output, bytes: files.reduce((sum, file) => sum + file.size, 0) };
  const run = { stage: 's', key, output_hash: output, duration_s: 1, ran_on: { host: 'h', executor: 'local' }, record: inputs };
  return Buffer.from(JSON.stringify({ version: 1, key, manifest, run, ...override }));
}

describe('remote records', () => {
  it('accepts a consistent record for its key', () => {
    expect(decodeRecord('r', key, record([{ path: 'a/b.txt', size: 3, sha256: sha }], [{ path: 'l', target: 'a/b.txt' }])).manifest.files).toHaveLength(1);
  });

  it.each([
    ['a path out of the output', record([{ path: '../../evil', size: 1, sha256: sha }]), /outside its output/],
    ['an absolute path', record([{ path: '/etc/passwd', size: 1, sha256: sha }]), /outside its output/],
    ['a file below a link', record([{ path: 'l/x', size: 1, sha256: sha }], [{ path: 'l', target: '/tmp' }]), /below its link l/],
    ['another key', record([], [], { key: 'b'.repeat(64) }), /filed under another key/],
    [
      'inputs that do not hash to the key',
      record([], [], { run: { stage: 's', key, output_hash: outputHash([], []), duration_s: 1, ran_on: {}, record: { ...inputs, cmd: 'rm -rf' } } }),
      /do not hash to its key/,
    ],
    [
      'a file list that does not match the output hash',
      Buffer.from(
        record([{ path: 'x', size: 1, sha256: sha }])
          .toString()
          .replace(`"size":1`, `"size":2`),
      ),
      /byte count|output hash/,
    ],
    ['not JSON', Buffer.from('<html>'), /is not JSON/],
  ])('rejects %s', (_what, bytes, why) => {
    expect(() => decodeRecord('r', key, bytes)).toThrow(why);
  });
});

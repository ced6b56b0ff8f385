import { describe, expect, it } from 'vitest';
import { renderCommand, resolveCommand } from '../../../src/engine/pipeline/command.js';
import { contextAfter, quoteFor } from '../../../src/engine/pipeline/shell-words.js';

const scope = { params: { dir: 'data dir', tricky: '${out}', dollar: '$', brace: '{out}', map: { a: 1 } } };
const values = { out: '/p q/out', scratch: '/s', inputs: { a: "/it's" } };

describe('commands: key text and parts', () => {
  it('the key text of an ordinary command is the command as always written (existing keys stay valid)', () => {
    const command = resolveCommand('run --data ${params.dir} --in ${in.a} --out ${ out } $${HOME} $$', scope);
    expect(command.text).toBe('run --data data dir --in ${in.a} --out ${out} $${HOME} $$');
    expect(command.parts).toEqual(['run --data data dir --in ', { ref: 'in.a' }, ' --out ', { ref: 'out' }, ' ${HOME} $$']);
    expect(resolveCommand('${params.map}', scope).text).toBe('{"a":1}');
  });

  it('param text is not searched again, and such a command keys apart from one that means ${out}', () => {
    const raw = resolveCommand('echo ${params.tricky}', scope);
    const real = resolveCommand('echo ${out}', scope);
    expect(raw.parts).toEqual(['echo ${out}']);
    expect(raw.text).not.toBe(real.text);
    // Text from two params that together look like a reference stays text too.
    const joined = resolveCommand('echo ${params.dollar}${params.brace}', scope);
    expect(joined.parts).toEqual(['echo ${out}']);
    expect(joined.text).not.toBe(real.text);
  });

  it('renders each path quoted for its place in the shell text', () => {
    const parts = resolveCommand(`cp \${in.a} "\${out}/x" && echo '\${out}' \${scratch}`, scope).parts;
    expect(renderCommand(parts, values)).toBe(`cp '/it'\\''s' "/p q/out/x" && echo '/p q/out' /s`);
  });
});

describe('shell quoting contexts', () => {
  it.each([
    ['echo ', 'plain'],
    ['echo "a ', 'double'],
    ["echo 'a ", 'single'],
    [`echo "it's `, 'double'],
    [`echo 'say "`, 'single'],
    ['echo "$(cat ', 'plain'],
    ['echo "$(cat "', 'double'],
    ['echo \\"', 'plain'],
    ['echo `cat ', 'plain'],
    ['sh -c \'echo "', 'single'],
  ] as const)('after %j: %s', (text, context) => {
    expect(contextAfter(text)).toBe(context);
  });

  it('leaves safe paths alone and quotes the rest', () => {
    expect(quoteFor('/work/cache/tmp/x@1/out', 'plain')).toBe('/work/cache/tmp/x@1/out');
    expect(quoteFor('/a b', 'plain')).toBe("'/a b'");
    expect(quoteFor('/a"$`\\b', 'double')).toBe('/a\\"\\$\\`\\\\b');
    expect(quoteFor("/a'b", 'single')).toBe("/a'\\''b");
  });
});

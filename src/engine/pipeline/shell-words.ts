// Quotes a path for the place in a /bin/sh command where it is substituted, so that it stays one word.

/** Where in the shell's quoting a position of a command falls. */
export type ShellContext = 'plain' | 'single' | 'double';

type Frame = 'plain' | 'single' | 'double' | 'substitution' | 'backtick';

/**
 * The quoting context at the end of `text`: inside '…', inside "…", or neither (also inside $(…) or `…`,
 * which start a fresh context). Enough of the POSIX shell's lexer for that question: quotes, backslashes and
 * command substitutions. Here-documents and comments are not recognised (their text is taken as plain).
 */
export function contextAfter(text: string): ShellContext {
  const stack: Frame[] = ['plain'];
  for (let index = 0; index < text.length; index++) {
    const top = stack[stack.length - 1];
    const char = text[index];
    if (top === 'single') {
      if (char === "'") stack.pop();
      continue;
    }
    if (char === '\\') {
      index += 1;
      continue;
    }
    if (char === '`') {
      if (top === 'backtick') stack.pop();
      else stack.push('backtick');
      continue;
    }
    if (char === '$' && text[index + 1] === '(') {
      stack.push('substitution');
      index += 1;
      continue;
    }
    if (top === 'double') {
      if (char === '"') stack.pop();
      continue;
    }
    if (char === "'") stack.push('single');
    else if (char === '"') stack.push('double');
    else if (char === '(') stack.push('substitution');
    else if (char === ')' && top === 'substitution') stack.pop();
  }
  const top = stack[stack.length - 1];
  return top === 'single' || top === 'double' ? top : 'plain';
}

/** Characters that never need quoting in a word (paths made of them are substituted as they are). */
const safe = /^[A-Za-z0-9_./:@%+=,-]+$/;

/**
 * `value` written so that the shell reads it back unchanged, as (part of) one word, at a position in
 * `context`: single-quoted outside quotes, backslash-escaped inside "…", with its own quotes closed and
 * reopened inside '…'.
 */
export function quoteFor(value: string, context: ShellContext): string {
  if (safe.test(value)) return value;
  if (context === 'single') return value.replaceAll("'", `'\\''`);
  if (context === 'double') return value.replace(/[\\"$`]/g, (char) => `\\${char}`);
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

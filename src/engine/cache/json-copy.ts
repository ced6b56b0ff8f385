// A value read back from its JSON text, sharing the parts that are the same as the value it was written from.

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

/**
 * `parsed` (what JSON.parse gave for JSON.stringify(original)), with each part that is exactly the same as
 * the part of `original` at its place replaced by that part: same keys in the same order, the same strings,
 * numbers the same by Object.is (a -0 metric reads back as 0, so it stays the parsed 0), no undefined
 * values, only plain objects and arrays. A part that differs keeps the parsed value, so the result always
 * equals what reading the JSON gives, and a commit shares the strings and objects the runner already holds
 * (the stage's record, its toolchain and env, the hashes in the file-hash memo) instead of holding them
 * twice. Parsed objects and arrays may be changed in place; `original` never is.
 */
export function sharedWhereSame(parsed: unknown, original: unknown): unknown {
  if (typeof parsed === 'string') return parsed === original ? original : parsed;
  if (parsed === null || typeof parsed !== 'object') return Object.is(parsed, original) ? original : parsed;
  if (Array.isArray(parsed)) {
    if (!Array.isArray(original) || Object.getPrototypeOf(original) !== Array.prototype || original.length !== parsed.length) return parsed;
    let same = true;
    for (let index = 0; index < parsed.length; index++) {
      if (!(index in original)) {
        same = false;
        continue;
      }
      const part = sharedWhereSame(parsed[index], original[index]);
      parsed[index] = part;
      // Object.is, not ===: a -0 read back as 0 is not the same.
      if (!Object.is(part, original[index])) same = false;
    }
    return same ? original : parsed;
  }
  if (!isPlainObject(original)) return parsed;
  const record = parsed as Record<string, unknown>;
  const keys = Object.keys(record);
  const originalKeys = Object.keys(original);
  let same = keys.length === originalKeys.length && keys.every((key, index) => key === originalKeys[index]);
  for (const key of keys) {
    // An own "__proto__" (JSON.parse makes one) cannot be assigned back as a plain property: left as parsed.
    if (key === '__proto__' || !Object.prototype.hasOwnProperty.call(original, key)) {
      same = false;
      continue;
    }
    const part = sharedWhereSame(record[key], original[key]);
    record[key] = part;
    if (!Object.is(part, original[key])) same = false;
  }
  return same ? original : parsed;
}

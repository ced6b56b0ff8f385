// One base for every failure a user can cause, in every part of linpath (engine, artifacts, ml, report, stages):
// a kebab-case reason, a one-line message, the cause kept, and whether the reason is a usage error — the user asked
// for something invalid (an unknown model, a bad flag) — which exits 2, where any other failure exits 1.
// It imports nothing, so every folder may import it without crossing a boundary.

/** 'usage': the user asked for something invalid (exit 2). 'failure': the work itself failed (exit 1). */
export type ReasonKind = 'usage' | 'failure';

/** An error class's reasons, each with its kind: the class's reason type is the keys of this table. */
export type ReasonTable = Readonly<Record<string, ReasonKind>>;

/** Marks every TypedError, also one from another copy of this module (a stage's ESM and CJS loaders each load one). */
const brand = Symbol.for('linpath.typed-error');

export abstract class TypedError<Reason extends string = string> extends Error {
  readonly [brand] = true;
  readonly reason: Reason;
  /** True for a usage error: exit 2, not 1. */
  readonly usage: boolean;

  protected constructor(reason: Reason, message: string, options: { cause?: unknown; usage: boolean }) {
    super(message, { cause: options.cause });
    this.reason = reason;
    this.usage = options.usage;
  }
}

/** Whether `reason` is a usage error in its class's table. */
export function isUsageReason(table: ReasonTable, reason: string): boolean {
  return table[reason] === 'usage';
}

/** `instanceof TypedError` that also holds across copies of this module. */
export function isTypedError(value: unknown): value is TypedError {
  return value instanceof Error && (value as unknown as Record<symbol, unknown>)[brand] === true;
}

/**
 * What `console.warn` printed while a function ran (tracking's warn-once policy is what many tests check).
 * @module
 */

/** Runs `fn`, capturing every `console.warn` line (arguments joined by a space); restores it after. */
export async function captureWarnings<T>(fn: () => Promise<T> | T): Promise<{ result: T; warn: string[] }> {
  const warn: string[] = [];
  const original = console.warn;
  console.warn = (...args: unknown[]) => void warn.push(args.join(" "));
  try {
    return { result: await fn(), warn };
  } finally {
    console.warn = original;
  }
}

/** The `console.warn` lines printed while `fn` ran. */
export async function warnings(fn: () => Promise<unknown> | unknown): Promise<string[]> {
  return (await captureWarnings(fn)).warn;
}

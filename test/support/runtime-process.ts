// The runtime's launcher lives in local/ (the bench uses it too); tests import it from here or from there.
export { type RuntimeProcess, startRuntimeProcess } from '../../local/launch';

/** Retries `probe` until it returns a value that is not undefined, for at most `timeoutMs`. */
export async function eventually<T>(
  probe: () => Promise<T | undefined>,
  timeoutMs = 30_000,
  what = 'the condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `Timed out after ${timeoutMs} ms waiting for ${what}${last instanceof Error ? ` (last error: ${last.message})` : ''}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

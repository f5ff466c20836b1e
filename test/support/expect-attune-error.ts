import { AttuneError, type ErrorCode } from '../../core/errors';

/** Awaits `promise`, asserts it rejected with an AttuneError of `code`, and returns that error. */
export async function expectAttuneError(promise: Promise<unknown>, code: ErrorCode): Promise<AttuneError> {
  const outcome = await promise.then(
    (value: unknown) => ({ rejected: false as const, value }),
    (error: unknown) => ({ rejected: true as const, error }),
  );
  if (!outcome.rejected) throw new Error(`Expected a rejection with ${code}, but it resolved with ${JSON.stringify(outcome.value)}`);
  expect(outcome.error).toBeInstanceOf(AttuneError);
  expect((outcome.error as AttuneError).code).toBe(code);
  return outcome.error as AttuneError;
}

/**
 * Waiting for something at most so long: the one way attune bounds a call to a service that may
 * hang (Redis, a queue) without cancelling it.
 */

/**
 * Settles like `promise`, or, if it has not settled after `ms`, like `late()` (which may return a
 * stand-in value or throw). The late promise is not cancelled: it goes on and settles unobserved.
 */
export function settleWithin<T, L>(promise: Promise<T>, ms: number, late: () => L): Promise<T | L> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<L>((resolve, reject) => {
    timer = setTimeout(() => {
      try {
        resolve(late());
      } catch (error) {
        reject(error);
      }
    }, ms);
    timer.unref();
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

import { OneTurnAtATime } from '../../server/one-turn-at-a-time';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('OneTurnAtATime', () => {
  /** A turn that records when it ran. */
  function recorder() {
    const log: string[] = [];
    const turn = (name: string, ms: number, fail = false) => async () => {
      log.push(`${name} start`);
      await pause(ms);
      log.push(`${name} end`);
      if (fail) throw new Error(`${name} failed`);
      return name;
    };
    return { log, turn };
  }

  it("runs one conversation's turns one after another, in arrival order", async () => {
    const order = new OneTurnAtATime();
    const { log, turn } = recorder();
    const results = await Promise.all([order.run('c1', turn('first', 30)), order.run('c1', turn('second', 5)), order.run('c1', turn('third', 1))]);
    expect(results).toEqual(['first', 'second', 'third']);
    expect(log).toEqual(['first start', 'first end', 'second start', 'second end', 'third start', 'third end']);
  });

  it('runs different conversations side by side', async () => {
    const order = new OneTurnAtATime();
    const { log, turn } = recorder();
    await Promise.all([order.run('c1', turn('a', 30)), order.run('c2', turn('b', 5))]);
    expect(log).toEqual(['a start', 'b start', 'b end', 'a end']);
  });

  it('goes on after a failed turn, which still rejects for its caller', async () => {
    const order = new OneTurnAtATime();
    const { log, turn } = recorder();
    const failed = order.run('c1', turn('broken', 5, true));
    const next = order.run('c1', turn('next', 1));
    await expect(failed).rejects.toThrow('broken failed');
    await expect(next).resolves.toBe('next');
    expect(log).toEqual(['broken start', 'broken end', 'next start', 'next end']);
  });

  it('forgets a conversation once its turns are done', async () => {
    const order = new OneTurnAtATime();
    const running = order.run('c1', () => pause(5));
    expect(order.busyConversations).toBe(1);
    await running;
    await pause(0);
    expect(order.busyConversations).toBe(0);
  });
});

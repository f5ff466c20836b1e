/**
 * The node test environment, with the worker on Europe/London time (daylight saving included) for
 * one test file. A test cannot do this itself: jest hands each test file a copy of `process.env`, so
 * `process.env.TZ = …` there changes nothing. The environment runs in the worker, where Node re-reads
 * TZ as soon as it is set; teardown puts the old zone back for the next file in the same worker.
 *
 * Use: a `@jest-environment ./test/support/london-time-environment.ts` docblock at the top of the file.
 */
import NodeEnvironment from 'jest-environment-node';

export default class LondonTimeEnvironment extends NodeEnvironment {
  private previousZone: string | undefined;

  override async setup(): Promise<void> {
    this.previousZone = process.env.TZ;
    process.env.TZ = 'Europe/London';
    await super.setup();
  }

  override async teardown(): Promise<void> {
    if (this.previousZone === undefined) delete process.env.TZ;
    else process.env.TZ = this.previousZone;
    await super.teardown();
  }
}

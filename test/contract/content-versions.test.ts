import type { ContentVersion, ContentVersions } from '../../storage/ports';
import { at } from '../support/fixtures';
import { expectAttuneError } from '../support/expect-attune-error';
import { describeOnEveryAdapter, type StoreFactory } from '../support/store-lanes';

function aVersion(seq: number, overrides: Partial<ContentVersion> = {}): ContentVersion {
  return {
    id: `v${seq}`,
    seq,
    files: [
      { path: 'en/general.lg', text: `# greeting.neutral\n- Hello ${seq}\n` },
      { path: 'en-gb/general.lg', text: '# greeting.neutral\n- Hiya\n' },
    ],
    author: 'casey',
    note: `version ${seq}`,
    diff: seq === 1 ? '' : `-  Hello ${seq - 1}\n+  Hello ${seq}`,
    createdAt: at(seq),
    ...overrides,
  };
}

function contentVersionsContract(newStore: StoreFactory): void {
  let versions: ContentVersions;
  beforeEach(async () => {
    versions = (await newStore()).contentVersions;
  });

  it('has no latest version before anything is published', async () => {
    expect(await versions.latest()).toBeUndefined();
    expect(await versions.list(10)).toEqual([]);
  });

  it('returns a stored version exactly as written: files with dotted paths, diff, restore link, dates', async () => {
    const version = aVersion(2, { restoredFrom: 'v1' });
    await versions.create(version);
    const read = await versions.get('v2');
    expect(read).toEqual(version);
    expect(read?.createdAt).toBeInstanceOf(Date);
  });

  it('latest is the highest number, not the last written', async () => {
    await versions.create(aVersion(1));
    await versions.create(aVersion(3));
    await versions.create(aVersion(2));
    expect((await versions.latest())?.id).toBe('v3');
  });

  it('lists newest first, without files, at most `limit`', async () => {
    for (const seq of [1, 2, 3]) await versions.create(aVersion(seq));
    const listed = await versions.list(2);
    expect(listed.map((v) => v.id)).toEqual(['v3', 'v2']);
    expect(listed[0]).not.toHaveProperty('files');
    expect(listed[0]).toMatchObject({ author: 'casey', note: 'version 3', seq: 3 });
    expect(await versions.list(0)).toEqual([]);
  });

  it('refuses a second version with the same number (two publishes at once: one wins)', async () => {
    await versions.create(aVersion(1));
    await expectAttuneError(versions.create(aVersion(1, { id: 'other' })), 'ATTUNE_STORAGE_CONFLICT');
    await expectAttuneError(versions.create(aVersion(2, { id: 'v1' })), 'ATTUNE_STORAGE_CONFLICT');
    expect((await versions.list(10)).map((v) => v.id)).toEqual(['v1']);
  });

  it('of concurrent creates with one number, exactly one succeeds', async () => {
    const results = await Promise.allSettled([versions.create(aVersion(5, { id: 'a' })), versions.create(aVersion(5, { id: 'b' }))]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });
}

describeOnEveryAdapter('ContentVersions', contentVersionsContract);

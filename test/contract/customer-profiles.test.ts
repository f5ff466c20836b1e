import { editProfile } from '../../personalization/profile-editor';
import type { CustomerProfiles } from '../../storage/ports';
import { aProfile, at, omit } from '../support/fixtures';
import { describeOnEveryAdapter, type StoreFactory } from '../support/store-lanes';

function customerProfilesContract(newStore: StoreFactory): void {
  let customers: CustomerProfiles;
  beforeEach(async () => {
    customers = (await newStore()).customers;
  });

  it('saves a profile and gets it back exactly, nested dates included', async () => {
    const profile = aProfile();
    await customers.save(profile);
    const stored = await customers.get(profile.id);
    expect(stored).toEqual(profile);
    expect(stored?.consent.updatedAt).toBeInstanceOf(Date);
  });

  it('returns undefined for unknown ids and identities', async () => {
    await customers.save(aProfile());
    expect(await customers.get('cust-404')).toBeUndefined();
    expect(await customers.findByIdentity({ channelId: 'webchat', userId: 'stranger' })).toBeUndefined();
  });

  it('finds a profile by any of its channel identities', async () => {
    const profile = aProfile({
      identities: [
        { channelId: 'webchat', userId: 'web-1' },
        { channelId: 'msteams', userId: 'aad-object-1' },
      ],
    });
    await customers.save(profile);
    await customers.save(aProfile({ id: 'cust-2', identities: [{ channelId: 'sms', userId: '+447700900123' }] }));

    expect(await customers.findByIdentity({ channelId: 'msteams', userId: 'aad-object-1' })).toEqual(profile);
    expect(await customers.findByIdentity({ channelId: 'webchat', userId: 'web-1' })).toEqual(profile);
    expect((await customers.findByIdentity({ channelId: 'sms', userId: '+447700900123' }))?.id).toBe('cust-2');
  });

  it('matches channel and user id of the same identity, never a mix of two', async () => {
    await customers.save(
      aProfile({
        identities: [
          { channelId: 'webchat', userId: 'u1' },
          { channelId: 'msteams', userId: 'u2' },
        ],
      }),
    );
    expect(await customers.findByIdentity({ channelId: 'webchat', userId: 'u2' })).toBeUndefined();
    expect(await customers.findByIdentity({ channelId: 'msteams', userId: 'u1' })).toBeUndefined();
  });

  it('keeps identities distinct whatever characters the ids contain', async () => {
    await customers.save(aProfile({ id: 'colon-in-channel', identities: [{ channelId: 'a:b', userId: 'c' }] }));
    await customers.save(aProfile({ id: 'colon-in-user', identities: [{ channelId: 'a', userId: 'b:c' }] }));
    expect((await customers.findByIdentity({ channelId: 'a:b', userId: 'c' }))?.id).toBe('colon-in-channel');
    expect((await customers.findByIdentity({ channelId: 'a', userId: 'b:c' }))?.id).toBe('colon-in-user');
  });

  it('prefers the most recently updated profile when two claim the same identity', async () => {
    const shared = { channelId: 'webchat', userId: 'shared-device' };
    await customers.save(aProfile({ id: 'older', identities: [shared], updatedAt: at(10) }));
    await customers.save(aProfile({ id: 'newer', identities: [shared], updatedAt: at(20) }));
    await customers.save(aProfile({ id: 'oldest', identities: [shared], updatedAt: at(0) }));
    expect((await customers.findByIdentity(shared))?.id).toBe('newer');
  });

  it('replaces the whole profile on save: removed fields and identities are gone', async () => {
    await customers.save(
      aProfile({
        identities: [
          { channelId: 'webchat', userId: 'web-1' },
          { channelId: 'sms', userId: 'old-number' },
        ],
      }),
    );
    const withoutName = omit(
      aProfile({
        identities: [{ channelId: 'webchat', userId: 'web-1' }],
        tier: 'premium',
        consent: { marketing: false, updatedAt: at(100) },
        updatedAt: at(100),
      }),
      'firstName',
    );
    await customers.save(withoutName);

    const stored = await customers.get('cust-1');
    expect(stored).toEqual(withoutName);
    expect(stored).not.toHaveProperty('firstName');
    expect(await customers.findByIdentity({ channelId: 'sms', userId: 'old-number' })).toBeUndefined();
    expect(await customers.findByIdentity({ channelId: 'webchat', userId: 'web-1' })).toEqual(withoutName);
  });

  it('replaces a profile only while it is as it was read', async () => {
    const read = aProfile({ updatedAt: at(10) });
    await customers.save(read);
    const first = aProfile({ tier: 'premium', updatedAt: at(20) });
    expect(await customers.replaceIfUnchanged(first, read.updatedAt)).toBe(true);
    expect(await customers.get(read.id)).toEqual(first);
    // A second edit based on the same (now stale) read changes nothing.
    expect(await customers.replaceIfUnchanged(omit(aProfile({ updatedAt: at(21) }), 'firstName'), read.updatedAt)).toBe(false);
    expect(await customers.get(read.id)).toEqual(first);
    // Nor does it bring back a profile that was erased.
    await customers.erase(read.id);
    expect(await customers.replaceIfUnchanged(aProfile({ updatedAt: at(30) }), first.updatedAt)).toBe(false);
    expect(await customers.get(read.id)).toBeUndefined();
  });

  it('keeps both of two concurrent edits (editProfile reads again after a conflict)', async () => {
    await customers.save(aProfile({ consent: { marketing: true, updatedAt: at(0) }, updatedAt: at(0) }));
    await Promise.all([
      editProfile(customers, 'cust-1', (p) => ({ ...p, consent: { marketing: false, updatedAt: at(5) } }), at(5)),
      editProfile(customers, 'cust-1', (p) => ({ ...p, tier: 'premium' }), at(5)),
    ]);
    const stored = await customers.get('cust-1');
    expect(stored?.consent.marketing).toBe(false);
    expect(stored?.tier).toBe('premium');
  });
}

describeOnEveryAdapter('CustomerProfiles', customerProfilesContract);

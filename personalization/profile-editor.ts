/**
 * Changes a stored profile: read, change, write back whole (the port replaces profiles whole, and
 * the document layer cannot clear a field with `$set`). The write happens only if nobody saved
 * the profile since it was read; otherwise the change is applied again to what is stored now, so
 * that concurrent edits (a turn on another channel, a CRM import) never undo one another.
 */
import { AttuneError } from '../core/errors';
import type { ChannelIdentity, CustomerProfile, CustomerProfiles } from '../storage/ports';

/** Concurrent edits of one profile are rare; this many in a row means something is wrong. */
const MAX_ATTEMPTS = 5;

/**
 * Resolves the saved profile, or undefined when there is no profile with that id.
 * @throws AttuneError ATTUNE_STORAGE_CONFLICT when the profile kept changing under every attempt
 */
export async function editProfile(
  profiles: CustomerProfiles,
  id: string,
  change: (profile: CustomerProfile) => CustomerProfile,
  now: Date = new Date(),
): Promise<CustomerProfile | undefined> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const profile = await profiles.get(id);
    if (!profile) return undefined;
    // Later than what was read, even within the same millisecond: the next edit must see a change.
    const updatedAt = now.getTime() > profile.updatedAt.getTime() ? now : new Date(profile.updatedAt.getTime() + 1);
    const changed = { ...change(profile), id: profile.id, updatedAt };
    if (await profiles.replaceIfUnchanged(changed, profile.updatedAt)) return changed;
  }
  throw new AttuneError('ATTUNE_STORAGE_CONFLICT', `Customer profile ${id} changed under ${MAX_ATTEMPTS} edits in a row.`);
}

/**
 * Links a channel identity to a profile (after sign-in or a verified identifier), so the customer
 * is one person on web chat and on a messaging app. Saving makes this the most recently updated
 * profile, which wins if another profile still claims the identity.
 */
export function linkIdentity(profiles: CustomerProfiles, id: string, identity: ChannelIdentity, now?: Date): Promise<CustomerProfile | undefined> {
  return editProfile(
    profiles,
    id,
    (profile) => {
      const known = profile.identities.some((i) => i.channelId === identity.channelId && i.userId === identity.userId);
      return known ? profile : { ...profile, identities: [...profile.identities, { channelId: identity.channelId, userId: identity.userId }] };
    },
    now,
  );
}

/** The profile without its unfinished task. */
export function withoutUnfinishedTask(profile: CustomerProfile): CustomerProfile {
  const { unfinishedTask: _done, ...rest } = profile;
  return rest;
}

/**
 * Changes a stored profile: read, change, write back whole (the port replaces profiles whole, and
 * the document layer cannot clear a field with `$set`). A customer talks on one channel at a
 * time, so two edits of one profile racing is rare; the later one wins.
 */
import type { ChannelIdentity, CustomerProfile, CustomerProfiles } from '../storage/ports';

/** Resolves the saved profile, or undefined when there is no profile with that id. */
export async function editProfile(
  profiles: CustomerProfiles,
  id: string,
  change: (profile: CustomerProfile) => CustomerProfile,
  now: Date = new Date(),
): Promise<CustomerProfile | undefined> {
  const profile = await profiles.get(id);
  if (!profile) return undefined;
  const changed = { ...change(profile), id: profile.id, updatedAt: now };
  await profiles.save(changed);
  return changed;
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

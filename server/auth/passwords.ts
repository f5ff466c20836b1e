/**
 * Staff passwords: scrypt hashes that carry their own parameters and salt, so the cost can be
 * raised later without breaking stored hashes, and generated passwords (there are no default ones).
 *
 * Hash format: `scrypt$N=16384,r=8,p=1$<salt base64>$<hash base64>`.
 */
import { randomBytes, randomInt, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** scrypt cost parameters: CPU/memory cost `N` (a power of two), block size `r`, parallelism `p`. */
export interface ScryptParameters {
  readonly N: number;
  readonly r: number;
  readonly p: number;
}

/** OWASP's minimum for scrypt: about 16 MiB and a few tens of milliseconds per hash. */
export const DEFAULT_SCRYPT_PARAMETERS: ScryptParameters = Object.freeze({ N: 16384, r: 8, p: 1 });

const SALT_BYTES = 16;
const HASH_BYTES = 32;

/**
 * Bounds on parameters read from a stored hash: a tampered or corrupt hash must not make a sign-in
 * allocate gigabytes or run for minutes.
 */
const LIMITS = { N: { min: 2 ** 10, max: 2 ** 20 }, r: { min: 1, max: 32 }, p: { min: 1, max: 16 } } as const;

const HASH_FORMAT = /^scrypt\$N=(\d{1,8}),r=(\d{1,3}),p=(\d{1,3})\$([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2})$/;

/**
 * Hashes `password` with a fresh random salt.
 *
 * @param parameters scrypt cost; the default suits production, tests may pass a cheaper one.
 * @throws RangeError for an empty password or parameters outside the accepted bounds.
 */
export async function hashPassword(password: string, parameters: ScryptParameters = DEFAULT_SCRYPT_PARAMETERS): Promise<string> {
  if (typeof password !== 'string' || password.length === 0) throw new RangeError('A password must be a non-empty string.');
  const problem = parameterProblem(parameters);
  if (problem !== undefined) throw new RangeError(problem);
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(password, salt, HASH_BYTES, parameters);
  const { N, r, p } = parameters;
  return `scrypt$N=${N},r=${r},p=${p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/**
 * Whether `password` matches `storedHash`, using the parameters and salt stored in it. The hashes
 * are compared in constant time. A malformed hash, or one with parameters outside the accepted
 * bounds, matches no password.
 */
export async function verifyPassword(password: string, storedHash: string): Promise<boolean> {
  if (typeof password !== 'string' || typeof storedHash !== 'string') return false;
  const parsed = parseHash(storedHash);
  if (parsed === undefined) return false;
  const actual = await derive(password, parsed.salt, parsed.hash.length, parsed.parameters);
  return timingSafeEqual(actual, parsed.hash);
}

/**
 * The fewest characters a staff password has, generated or chosen. The sign-in throttle is per
 * client address only (routes.ts), which is safe because passwords are long: a generated one is
 * about 139 bits, and one a person chooses must be at least this long too (a passphrase of four or
 * five words). Counted in Unicode code points after NFC, as the password is hashed.
 */
export const MIN_PASSWORD_LENGTH = 20;

/** The most characters a password has: sign-in refuses longer ones before any scrypt work. */
export const MAX_PASSWORD_LENGTH = 1024;

/** A chosen password needs at least this many different characters ("aaaa…", "abab…" are refused). */
const MIN_DISTINCT_CHARACTERS = 8;

/**
 * Why `password` cannot be the new password a person chose for the account `name`, or undefined
 * when it can: the one policy for chosen passwords (self-service change, POST /api/agent/password),
 * with the length floor generated passwords (`npm run agents`) have too. Reusing the current
 * password is checked by the caller only after the current password is verified, so that this
 * check cannot be used to test guesses of it.
 */
export function chosenPasswordProblem(password: string, name: string): string | undefined {
  if (typeof password !== 'string') return 'the new password must be a string';
  const characters = [...password.normalize('NFC')];
  if (characters.length < MIN_PASSWORD_LENGTH) {
    return `the new password must have at least ${MIN_PASSWORD_LENGTH} characters (it has ${characters.length}); a few unrelated words make a long password that is easy to remember`;
  }
  if (characters.length > MAX_PASSWORD_LENGTH) return `the new password must have at most ${MAX_PASSWORD_LENGTH} characters`;
  if (new Set(characters).size < MIN_DISTINCT_CHARACTERS) {
    return `the new password must use at least ${MIN_DISTINCT_CHARACTERS} different characters, not a few repeated`;
  }
  const normalizedName = name.normalize('NFKC').trim().toLowerCase();
  if (normalizedName.length > 0 && password.normalize('NFKC').toLowerCase().includes(normalizedName)) {
    return 'the new password must not contain your sign-in name';
  }
  return undefined;
}

/** Unambiguous when read aloud or off a screen: no 0/O/o, 1/l/I. */
export const PASSWORD_ALPHABET = '23456789abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ';

/** 24 characters of a 56-letter alphabet: about 139 bits. */
export const GENERATED_PASSWORD_LENGTH = 24;

/**
 * A new random password from {@link PASSWORD_ALPHABET}, each character drawn uniformly with the
 * system's cryptographic generator.
 *
 * @param length at least {@link MIN_PASSWORD_LENGTH}.
 */
export function generatePassword(length: number = GENERATED_PASSWORD_LENGTH): string {
  if (!Number.isInteger(length) || length < MIN_PASSWORD_LENGTH) throw new RangeError(`A generated password has at least ${MIN_PASSWORD_LENGTH} characters.`);
  let password = '';
  for (let i = 0; i < length; i += 1) password += PASSWORD_ALPHABET[randomInt(PASSWORD_ALPHABET.length)];
  return password;
}

interface ParsedHash {
  readonly parameters: ScryptParameters;
  readonly salt: Buffer;
  readonly hash: Buffer;
}

function parseHash(storedHash: string): ParsedHash | undefined {
  const match = HASH_FORMAT.exec(storedHash);
  if (match === null) return undefined;
  const parameters = { N: Number(match[1]), r: Number(match[2]), p: Number(match[3]) };
  if (parameterProblem(parameters) !== undefined) return undefined;
  const salt = Buffer.from(match[4], 'base64');
  const hash = Buffer.from(match[5], 'base64');
  if (salt.length < SALT_BYTES || hash.length < 16 || hash.length > 64) return undefined;
  return { parameters, salt, hash };
}

function parameterProblem({ N, r, p }: ScryptParameters): string | undefined {
  const inRange = (value: number, { min, max }: { min: number; max: number }) =>
    Number.isInteger(value) && value >= min && value <= max;
  if (!inRange(N, LIMITS.N) || (N & (N - 1)) !== 0) {
    return `scrypt N must be a power of two from ${LIMITS.N.min} to ${LIMITS.N.max}, not ${N}.`;
  }
  if (!inRange(r, LIMITS.r)) return `scrypt r must be from ${LIMITS.r.min} to ${LIMITS.r.max}, not ${r}.`;
  if (!inRange(p, LIMITS.p)) return `scrypt p must be from ${LIMITS.p.min} to ${LIMITS.p.max}, not ${p}.`;
  return undefined;
}

function derive(password: string, salt: Buffer, length: number, { N, r, p }: ScryptParameters): Promise<Buffer> {
  // scrypt needs about 128·N·r bytes; Node refuses more than `maxmem` (32 MiB by default).
  const options: ScryptOptions = { N, r, p, maxmem: 256 * N * r + 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, length, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

import crypto, { scryptSync } from 'node:crypto';
import {
  chosenPasswordProblem,
  DEFAULT_SCRYPT_PARAMETERS,
  generatePassword,
  hashPassword,
  PASSWORD_ALPHABET,
  verifyPassword,
} from '../../server/auth/passwords';

/** Cheap parameters for tests that hash many times; the defaults are checked separately. */
const CHEAP = { N: 1024, r: 8, p: 1 };
const FORMAT = /^scrypt\$N=(\d+),r=(\d+),p=(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/;

function parts(hash: string) {
  const match = FORMAT.exec(hash);
  if (match === null) throw new Error(`not a hash: ${hash}`);
  return { N: Number(match[1]), r: Number(match[2]), p: Number(match[3]), salt: Buffer.from(match[4], 'base64'), key: Buffer.from(match[5], 'base64') };
}

/** `hash` with one byte of its salt or key changed. */
function tamper(hash: string, part: 'salt' | 'key'): string {
  const segments = hash.split('$');
  const index = part === 'salt' ? 2 : 3;
  const bytes = Buffer.from(segments[index], 'base64');
  bytes[5] ^= 0x01;
  segments[index] = bytes.toString('base64');
  return segments.join('$');
}

describe('hashPassword and verifyPassword', () => {
  it('stores scrypt with explicit default parameters, a 16-byte salt and the derived key', async () => {
    const hash = await hashPassword('correct horse battery staple');
    expect(hash).toMatch(/^scrypt\$N=16384,r=8,p=1\$/);
    const { salt, key } = parts(hash);
    expect(salt).toHaveLength(16);
    expect(key).toHaveLength(32);
    expect(key.equals(scryptSync('correct horse battery staple', salt, 32, { ...DEFAULT_SCRYPT_PARAMETERS }))).toBe(true);
    expect(hash).not.toContain('correct horse');
  });

  it('accepts the password and refuses any other', async () => {
    const hash = await hashPassword('s3cret-Passphrase', CHEAP);
    expect(await verifyPassword('s3cret-Passphrase', hash)).toBe(true);
    expect(await verifyPassword('s3cret-passphrase', hash)).toBe(false);
    expect(await verifyPassword('s3cret-Passphrase ', hash)).toBe(false);
    expect(await verifyPassword('', hash)).toBe(false);
  });

  it('salts every hash: the same password hashes differently, and each hash verifies', async () => {
    const [first, second] = await Promise.all([hashPassword('same', CHEAP), hashPassword('same', CHEAP)]);
    expect(first).not.toBe(second);
    expect(parts(first).salt.equals(parts(second).salt)).toBe(false);
    expect(await verifyPassword('same', first)).toBe(true);
    expect(await verifyPassword('same', second)).toBe(true);
  });

  it('uses the parameters stored in the hash, so changing them breaks the match', async () => {
    const hash = await hashPassword('pw-for-params', { N: 2048, r: 4, p: 2 });
    expect(hash).toMatch(/^scrypt\$N=2048,r=4,p=2\$/);
    const { salt, key } = parts(hash);
    expect(key.equals(scryptSync('pw-for-params', salt, 32, { N: 2048, r: 4, p: 2 }))).toBe(true);
    expect(await verifyPassword('pw-for-params', hash)).toBe(true);

    expect(await verifyPassword('pw-for-params', hash.replace('N=2048', 'N=1024'))).toBe(false);
    expect(await verifyPassword('pw-for-params', hash.replace('r=4', 'r=8'))).toBe(false);
    expect(await verifyPassword('pw-for-params', hash.replace('p=2', 'p=1'))).toBe(false);
  });

  it('refuses every password against a tampered salt or key', async () => {
    const hash = await hashPassword('tamper-me', CHEAP);
    expect(await verifyPassword('tamper-me', tamper(hash, 'salt'))).toBe(false);
    expect(await verifyPassword('tamper-me', tamper(hash, 'key'))).toBe(false);
  });

  it('refuses every password against a malformed hash or parameters out of bounds (no huge allocation)', async () => {
    const hash = await hashPassword('pw', CHEAP);
    const { salt, key } = parts(hash);
    const b64 = (bytes: Buffer) => bytes.toString('base64');
    for (const bad of [
      '',
      'pw',
      hash.replace(/^scrypt/, 'bcrypt'),
      hash.split('$').slice(0, 3).join('$'),
      `${hash}$extra`,
      `scrypt$N=1000,r=8,p=1$${b64(salt)}$${b64(key)}`, // not a power of two
      `scrypt$N=1073741824,r=8,p=1$${b64(salt)}$${b64(key)}`, // 2^30: gigabytes
      `scrypt$N=1024,r=8,p=99$${b64(salt)}$${b64(key)}`,
      `scrypt$N=1024,r=8,p=1$${b64(salt.subarray(0, 4))}$${b64(key)}`, // short salt
    ]) {
      expect(await verifyPassword('pw', bad)).toBe(false);
    }
  });

  it('compares the derived keys in constant time', async () => {
    const hash = await hashPassword('constant', CHEAP);
    const spy = jest.spyOn(crypto, 'timingSafeEqual');
    try {
      expect(await verifyPassword('not it', hash)).toBe(false);
      expect(spy).toHaveBeenCalledTimes(1);
    } finally {
      spy.mockRestore();
    }
  });

  it('refuses to hash an empty password or with parameters out of bounds', async () => {
    await expect(hashPassword('')).rejects.toThrow(RangeError);
    await expect(hashPassword('pw', { N: 1000, r: 8, p: 1 })).rejects.toThrow(RangeError);
    await expect(hashPassword('pw', { N: 2 ** 22, r: 8, p: 1 })).rejects.toThrow(RangeError);
  });
});

describe('generatePassword', () => {
  it('gives 24 characters of the readable alphabet by default, never look-alikes', () => {
    const password = generatePassword();
    expect(password).toHaveLength(24);
    expect(password).toMatch(/^[23456789abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ]+$/);
    expect(PASSWORD_ALPHABET).not.toMatch(/[01lIoO]/);
  });

  it('gives a different password every time, drawing on the whole alphabet', () => {
    const passwords = Array.from({ length: 2000 }, () => generatePassword());
    expect(new Set(passwords).size).toBe(passwords.length);
    const used = new Set(passwords.join(''));
    expect([...PASSWORD_ALPHABET].filter((char) => !used.has(char))).toEqual([]);
  });

  it('refuses lengths under 20', () => {
    expect(generatePassword(20)).toHaveLength(20);
    expect(() => generatePassword(19)).toThrow(RangeError);
  });
});

describe('chosenPasswordProblem', () => {
  it('accepts a long passphrase, and every generated password', () => {
    expect(chosenPasswordProblem('correct horse battery staple', 'alice')).toBeUndefined();
    expect(chosenPasswordProblem('Zwölf Boxkämpfer jagen Viktor', 'alice')).toBeUndefined();
    for (let i = 0; i < 200; i += 1) expect(chosenPasswordProblem(generatePassword(), 'alice')).toBeUndefined();
    expect(chosenPasswordProblem(generatePassword(20), 'alice')).toBeUndefined();
  });

  it('refuses fewer than 20 characters, counted as characters (not UTF-16 units), and says how many it has', () => {
    expect(chosenPasswordProblem('Tr0ub4dor&3-horses', 'alice')).toMatch(/at least 20 characters \(it has 18\)/);
    // 19 astral characters are 38 UTF-16 units: still too short.
    expect(chosenPasswordProblem('😀🐸🎉🚀🌈🍕🎸🐙🦄🍩🎯🧩🪁🛹🦜🍉🎲🧁🪐', 'alice')).toMatch(/at least 20 characters \(it has 19\)/);
    expect(chosenPasswordProblem('e\u0301'.repeat(10) + 'abcdefghi', 'alice')).toMatch(/\(it has 19\)/); // é composed by NFC
  });

  it('refuses more than 1024 characters', () => {
    expect(chosenPasswordProblem(`${generatePassword(1000)}${generatePassword(25)}`, 'alice')).toMatch(/at most 1024/);
    expect(chosenPasswordProblem(`${generatePassword(1000)}${generatePassword(24)}`, 'alice')).toBeUndefined();
  });

  it('refuses a few characters repeated', () => {
    expect(chosenPasswordProblem('a'.repeat(30), 'alice')).toMatch(/8 different characters/);
    expect(chosenPasswordProblem('abcdefgabcdefgabcdefg', 'alice')).toMatch(/8 different characters/);
    expect(chosenPasswordProblem('abcdefghabcdefghabcd', 'alice')).toBeUndefined();
  });

  it('refuses a password containing the sign-in name, whatever its case or spelling', () => {
    expect(chosenPasswordProblem('my name is ALICE and this is long', 'alice')).toMatch(/sign-in name/);
    expect(chosenPasswordProblem('ｍｙ ｎａｍｅ ｉｓ ａｌｉｃｅ, long enough', 'alice')).toMatch(/sign-in name/); // full-width
    expect(chosenPasswordProblem('my name is bob and this is long', 'alice')).toBeUndefined();
  });
});

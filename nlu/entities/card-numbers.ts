/**
 * Full card numbers (PANs) and card security codes in a customer's message, found so they can be
 * masked before the text is kept anywhere or leaves the process: PCI DSS forbids storing a security
 * code at all and a PAN in clear, and customers do type them ("my card number is 4539 1488 0343
 * 6467, cvv 123"). A PAN is 13 to 19 digits, in groups split by single spaces or dashes, that pass
 * the Luhn check (so an order or reference number is rarely taken for one); it is masked to
 * `**** **** **** 6467`, which keeps the last four digits the bot may use (card-and-account.ts
 * reads that form as card_last4). A security code is the 3 or 4 digits after "cvv", "cvc", "cv2"
 * or "security code".
 */

/** Digits in groups split by single spaces or dashes ("4539 1488 0343 6467", "4539-1488-…"). */
const DIGIT_GROUPS = /\d+(?:[ -]\d+)*/g;
const SECURITY_CODE = /\b(cvv2?|cvc2?|cv2|csc|security\s+code)(\s*(?:is|:|=|#)?\s*)(\d{3,4})\b/gi;

export interface MaskedText {
  readonly text: string;
  /** How many card numbers and security codes were masked. */
  readonly masked: number;
  /** Of those, full card numbers (PANs). */
  readonly cardNumbers: number;
  /** Of those, security codes (CVV, CVC, …). */
  readonly securityCodes: number;
}

/** Runs of digits masked within one digit run (maskPansIn's answer). */
interface MaskedRun {
  readonly text: string;
  readonly masked: number;
}

/** The text with every PAN and security code masked; the same string when there is none. */
export function maskCardNumbers(text: string): MaskedText {
  // Most messages have no run of three digits: one cheap test keeps them off the slower path.
  if (!/\d{3}/.test(text)) return { text, masked: 0, cardNumbers: 0, securityCodes: 0 };
  let cardNumbers = 0;
  let securityCodes = 0;
  const withoutPans = text.replace(DIGIT_GROUPS, (run) => {
    const result = maskPansIn(run);
    cardNumbers += result.masked;
    return result.text;
  });
  const withoutCodes = withoutPans.replace(SECURITY_CODE, (_all, label: string, between: string, code: string) => {
    securityCodes += 1;
    return `${label}${between}${'*'.repeat(code.length)}`;
  });
  const masked = cardNumbers + securityCodes;
  return { text: masked === 0 ? text : withoutCodes, masked, cardNumbers, securityCodes };
}

/**
 * Masks the PANs in one run of digit groups. A PAN may share the run with other numbers ("4539
 * 1488 0343 6467 09 27"), so every span of whole groups holding 13 to 19 digits is a candidate,
 * the longest Luhn-valid one from each starting group first.
 */
function maskPansIn(run: string): MaskedRun {
  if (run.length < 13) return { text: run, masked: 0 };
  const groups = [...run.matchAll(/\d+/g)].map((match) => ({ start: match.index, end: match.index + match[0].length, digits: match[0] }));
  let out = '';
  let copiedTo = 0;
  let masked = 0;
  for (let first = 0; first < groups.length; first++) {
    let digits = '';
    let pan: { last: number; digits: string } | undefined;
    for (let last = first; last < groups.length && digits.length + groups[last]!.digits.length <= 19; last++) {
      digits += groups[last]!.digits;
      if (digits.length >= 13 && passesLuhn(digits)) pan = { last, digits };
    }
    if (!pan) continue;
    out += `${run.slice(copiedTo, groups[first]!.start)}**** **** **** ${pan.digits.slice(-4)}`;
    copiedTo = groups[pan.last]!.end;
    masked += 1;
    first = pan.last;
  }
  return masked === 0 ? { text: run, masked: 0 } : { text: out + run.slice(copiedTo), masked };
}

/** The Luhn (mod 10) check every payment card number passes. */
export function passesLuhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

/**
 * Domain-transfer normalisation: the model is trained on Reddit comments and our own chat examples
 * but reads chat, e-mail and social-media text, so surface noise that differs between those
 * sources (handles, links, HTML entities, hashtags, emoji, stretched words) is mapped to one form.
 */

const NAMED_ENTITIES: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  hellip: '…',
  pound: '£',
  euro: '€',
};

/** Emoji and emoticons that carry a clear feeling become words the model and the rules share. */
const EMOJI_TOKENS: ReadonlyArray<readonly [string, string]> = [
  ['😡', 'emoangry'], ['🤬', 'emoangry'], ['😠', 'emoangry'], ['👿', 'emoangry'], ['💢', 'emoangry'],
  ['😤', 'emoangry'], ['🖕', 'emoangry'],
  ['😢', 'emosad'], ['😭', 'emosad'], ['😞', 'emosad'], ['😔', 'emosad'], ['☹', 'emosad'],
  ['🙁', 'emosad'], ['😩', 'emosad'], ['😫', 'emosad'], ['💔', 'emosad'], ['😒', 'emosad'],
  ['👎', 'emosad'], ['🤦', 'emosad'], ['😑', 'emosad'], ['🙄', 'emoroll'],
  ['😨', 'emofear'], ['😰', 'emofear'], ['😱', 'emofear'], ['😟', 'emofear'], ['😧', 'emofear'],
  ['😬', 'emofear'],
  ['😕', 'emoconfused'], ['🤔', 'emoconfused'], ['😵', 'emoconfused'], ['❓', 'emoconfused'],
  ['😀', 'emohappy'], ['😃', 'emohappy'], ['😄', 'emohappy'], ['😁', 'emohappy'], ['😊', 'emohappy'],
  ['🙂', 'emohappy'], ['😉', 'emohappy'], ['😎', 'emohappy'], ['🥳', 'emohappy'], ['🎉', 'emohappy'],
  ['👍', 'emohappy'], ['👌', 'emohappy'], ['👏', 'emohappy'], ['💯', 'emohappy'], ['✅', 'emohappy'],
  ['🙌', 'emohappy'], ['☺', 'emohappy'], ['😆', 'emolaugh'], ['😂', 'emolaugh'], ['🤣', 'emolaugh'],
  ['😍', 'emolove'], ['🥰', 'emolove'], ['😘', 'emolove'], ['❤', 'emolove'], ['💕', 'emolove'],
  ['💖', 'emolove'], ['💙', 'emolove'], ['💜', 'emolove'], ['💚', 'emolove'], ['♥', 'emolove'],
  ['🙏', 'emothanks'],
];

const EMOTICONS: ReadonlyArray<readonly [RegExp, string]> = [
  [/(^|\s)(?:>:\(|>:-\()(?=\s|$)/g, '$1 emoangry '],
  [/(^|\s)(?::'\(|:-\(|:\(|=\(|:\[|:-\/|:\/|:\\)(?=\s|$)/g, '$1 emosad '],
  [/(^|\s)(?::-\)|:\)|=\)|:\]|:-D|:D|;\)|;-\)|\(:|xD|XD|<3)(?=\s|$)/g, '$1 emohappy '],
];

const EMOJI_MAP = new Map(EMOJI_TOKENS);

/** The words emoji and emoticons become ('emoother': a pictograph with no clear feeling). */
export const EMOJI_WORDS: ReadonlySet<string> = new Set([...EMOJI_TOKENS.map(([, word]) => word), 'emoother']);
const PICTOGRAPH = /\p{Extended_Pictographic}/u;

function decodeHtmlEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, body: string) => {
    if (body[0] === '#') {
      const code = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code < 0x110000 ? String.fromCodePoint(code) : whole;
    }
    return NAMED_ENTITIES[body.toLowerCase()] ?? whole;
  });
}

/** "#NeverAgain" → "never again"; "#fail" → "fail". */
function expandHashtag(_whole: string, tag: string): string {
  return ' ' + tag.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/_/g, ' ') + ' ';
}

function replaceEmoji(text: string): string {
  let out = '';
  for (const ch of text) {
    const mapped = EMOJI_MAP.get(ch);
    if (mapped !== undefined) out += ` ${mapped} `;
    else if (PICTOGRAPH.test(ch)) out += ' emoother ';
    else if (ch === '\uFE0F' || ch === '\u200D') continue;
    else out += ch;
  }
  return out;
}

/**
 * Normalises one message for the sentiment model, keeping letter case (the rules read capitals).
 * Idempotent: normalising twice gives the same text.
 */
export function normalizeText(raw: string): string {
  let text = decodeHtmlEntities(raw);
  text = text.replace(/[\u2018\u2019\u02bc`´]/g, "'").replace(/[\u201c\u201d]/g, '"');
  text = text.replace(/\bhttps?:\/\/\S+|\bwww\.\S+/gi, ' url ');
  text = text.replace(/(^|[^\w])@\w+/g, '$1@user');
  text = text.replace(/\[NAME\]/g, '@user');
  text = text.replace(/#([A-Za-z][A-Za-z0-9_]*)/g, expandHashtag);
  // Masked swearing still reads as swearing ("f*ck", "sh!t").
  text = text.replace(/\bf[*#@!.]{1,3}c?k/gi, 'fuck').replace(/\bs[*#@!.]{1,2}t\b/gi, 'shit');
  for (const [pattern, token] of EMOTICONS) text = text.replace(pattern, token);
  text = replaceEmoji(text);
  // "soooo" → "soo", "!!!!!" → "!!!": keeps the emphasis but bounds the vocabulary.
  text = text.replace(/([a-zA-Z])\1{2,}/g, '$1$1').replace(/([!?.])\1{3,}/g, '$1$1$1');
  return text.replace(/\s+/g, ' ').trim();
}

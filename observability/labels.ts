/**
 * Bounded label values. Each distinct label value is a new time series kept in memory for the
 * life of the process, so values that come from requests are mapped onto a fixed set.
 */

/** The Bot Framework channels attune tells apart; anything else is `other`. */
const KNOWN_CHANNELS = new Set([
  'webchat',
  'directline',
  'msteams',
  'emulator',
  'facebook',
  'sms',
  'slack',
  'telegram',
  'whatsapp',
  'email',
  'line',
  'kik',
  'skype',
  'test',
]);

export function channelLabel(channelId: string | undefined): string {
  return typeof channelId === 'string' && KNOWN_CHANNELS.has(channelId) ? channelId : 'other';
}

/**
 * Error codes are written by the server (attune's `ATTUNE_*` codes, restify's own such as
 * `ResourceNotFound`), never copied from a request, so a well-formed code is kept as it is.
 */
const CODE = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

export function errorCodeLabel(code: unknown): string {
  return typeof code === 'string' && CODE.test(code) ? code : 'other';
}

import { AttuneError, type ErrorCode } from '../../core/errors';
import { statusForError } from '../../server/auth/api-errors';

describe('statusForError', () => {
  it.each<[ErrorCode, number]>([
    ['ATTUNE_REQUEST_INVALID', 400],
    ['ATTUNE_UNAUTHORIZED', 401],
    ['ATTUNE_FORBIDDEN', 403],
    ['ATTUNE_CURRENT_PASSWORD_INCORRECT', 403],
    ['ATTUNE_STORAGE_CONFLICT', 409],
    ['ATTUNE_RATE_LIMITED', 429],
    ['ATTUNE_STORAGE_UNAVAILABLE', 503],
    ['ATTUNE_EVENT_BUS_UNAVAILABLE', 503],
    ['ATTUNE_CONTENT_INVALID', 500],
  ])('maps %s to %i', (code, status) => {
    expect(statusForError(new AttuneError(code, 'x'))).toBe(status);
  });

  it('maps any *_NOT_FOUND code to 404', () => {
    expect(statusForError(new AttuneError('ATTUNE_ESCALATION_NOT_FOUND' as ErrorCode, 'x'))).toBe(404);
  });

  it('maps errors without a code to 500', () => {
    expect(statusForError(new Error('boom'))).toBe(500);
    expect(statusForError('boom')).toBe(500);
  });
});

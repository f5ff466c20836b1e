import type { CustomerSnapshot } from '../../personalization/customer-context';
import { recogniseReply } from '../../personalization/personal-replies';
import { profilingAnswerOf, profilingQuestionFor, withAnswer, type ProfilingMoment } from '../../personalization/profiling';

const customer: CustomerSnapshot = { id: 'c1', tier: 'standard', products: [], useFirstName: true, marketingConsent: true };
const calmSuccess: ProfilingMoment = { customer, alreadyAsked: false, frustration: 0, tone: 'neutral', succeeded: true };

describe('progressive profiling', () => {
  it('asks for the first preference not yet known, at a calm successful moment', () => {
    expect(profilingQuestionFor(calmSuccess)).toBe('contactChannel');
    expect(profilingQuestionFor({ ...calmSuccess, customer: { ...customer, contactChannel: 'sms' } })).toBe('style');
    expect(profilingQuestionFor({ ...calmSuccess, customer: { ...customer, contactChannel: 'sms', style: 'formal' } })).toBeUndefined();
  });

  it('asks at most once per session, never when frustrated or upset, never after a failure, never anonymous', () => {
    expect(profilingQuestionFor({ ...calmSuccess, alreadyAsked: true })).toBeUndefined();
    expect(profilingQuestionFor({ ...calmSuccess, frustration: 0.2 })).toBeUndefined();
    expect(profilingQuestionFor({ ...calmSuccess, tone: 'empathetic' })).toBeUndefined();
    expect(profilingQuestionFor({ ...calmSuccess, tone: 'reassuring' })).toBeUndefined();
    expect(profilingQuestionFor({ ...calmSuccess, succeeded: false })).toBeUndefined();
    expect(profilingQuestionFor({ ...calmSuccess, customer: undefined })).toBeUndefined();
  });

  it('understands the answers, including the button labels', () => {
    expect(profilingAnswerOf('contactChannel', 'Email')).toBe('email');
    expect(profilingAnswerOf('contactChannel', 'SMS please')).toBe('sms');
    expect(profilingAnswerOf('style', 'Short and to the point')).toBe('concise');
    expect(profilingAnswerOf('style', 'what is my balance')).toBeUndefined();
    expect(withAnswer({ useFirstName: false }, 'style', 'friendly')).toEqual({ useFirstName: false, tone: 'friendly' });
    expect(withAnswer({}, 'contactChannel', 'phone')).toEqual({ contactChannel: 'phone' });
  });

  it('treats a reply only as an answer to the question that was asked', () => {
    expect(recogniseReply('Email', { kind: 'profiling', question: 'contactChannel' })).toEqual({ kind: 'profiling_answer', question: 'contactChannel', answer: 'email' });
    expect(recogniseReply('Email', undefined)).toBeUndefined();
    expect(recogniseReply('yes', { kind: 'offer', offerId: 'travel_card' })).toEqual({ kind: 'offer_answer', accepted: true });
    expect(recogniseReply('Not now', { kind: 'offer', offerId: 'travel_card' })).toEqual({ kind: 'offer_answer', accepted: false });
    expect(recogniseReply('No, start fresh', { kind: 'resume' })).toEqual({ kind: 'resume_answer', resume: false });
    expect(recogniseReply('please stop sending me offers', undefined)).toEqual({ kind: 'stop_offers' });
    expect(recogniseReply('Why am I seeing this?', undefined)).toEqual({ kind: 'why_offer' });
    expect(recogniseReply('why was my card declined?', undefined)).toBeUndefined();
  });
});

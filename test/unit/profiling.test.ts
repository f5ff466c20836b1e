import path from 'node:path';
import { ContentLibrary } from '../../content/content-library';
import { channelProfile } from '../../personalization/channel-profile';
import type { CustomerSnapshot } from '../../personalization/customer-context';
import type { Awaiting } from '../../personalization/personal-memory';
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

  it('takes only a short reply or a button label as an answer: a longer message is the next request', () => {
    const offer: Awaiting = { kind: 'offer', offerId: 'travel_card' };
    const resume: Awaiting = { kind: 'resume' };
    const contact: Awaiting = { kind: 'profiling', question: 'contactChannel' };
    expect(recogniseReply('ok, and my card payment was declined', offer)).toBeUndefined();
    expect(recogniseReply('please can you tell me why my top up failed', offer)).toBeUndefined();
    expect(recogniseReply('sure, go on', offer)).toEqual({ kind: 'offer_answer', accepted: true });
    expect(recogniseReply('no, my card hasn\'t arrived', resume)).toBeUndefined();
    expect(recogniseReply('later I will check my statement', resume)).toBeUndefined();
    expect(recogniseReply('no thanks', resume)).toEqual({ kind: 'resume_answer', resume: false });
    expect(recogniseReply('Pick up where I left off', resume)).toEqual({ kind: 'resume_answer', resume: true });
    expect(recogniseReply('the app says my top up failed', contact)).toBeUndefined();
    expect(recogniseReply('I got a text about a payment', contact)).toBeUndefined();
    expect(recogniseReply('text me', contact)).toEqual({ kind: 'profiling_answer', question: 'contactChannel', answer: 'sms' });
    expect(profilingAnswerOf('style', 'keep it short, what is my balance')).toBeUndefined();
  });

  it('takes every button under a question as its answer, whatever its length', async () => {
    const content = await ContentLibrary.load(path.join(__dirname, '..', '..', 'content'), 'en');
    const request = { locale: 'en', channel: channelProfile('webchat') };
    const buttons = (template: string, tone: 'neutral' | 'empathetic' | 'reassuring' | 'warm') =>
      (content.render({ ...request, template, tone, data: { task: 'dispute', stepsDone: 1 } }).suggestedActions?.actions ?? []).map((action) => action.title ?? '');
    const questions: readonly (readonly [string, Awaiting, readonly string[]])[] = [
      ['resume.offer', { kind: 'resume' }, []],
      ['profiling.ask.contactChannel', { kind: 'profiling', question: 'contactChannel' }, []],
      ['profiling.ask.style', { kind: 'profiling', question: 'style' }, []],
      ['offerChoices', { kind: 'offer', offerId: 'travel_card' }, content.text({ ...request, template: 'offerChoices', tone: 'neutral' }).split('|').map((label) => label.trim())],
    ];
    for (const [template, awaiting, plain] of questions) {
      for (const tone of ['neutral', 'empathetic', 'reassuring', 'warm'] as const) {
        const labels = [...buttons(template, tone), ...plain];
        expect(labels.length).toBeGreaterThan(0);
        for (const label of labels) expect([template, label, recogniseReply(label, awaiting)]).toEqual([template, label, expect.anything()]);
      }
    }
  });
});

/**
 * The agent API (JSON, bearer-token auth, roles `agent` and `supervisor`): the queue of waiting
 * chats, taking one, reading its package and transcript, suggested replies, writing to the
 * customer, resolving, and the live event stream the desk page listens to.
 */
import type { Server } from 'restify';
import { z } from 'zod';
import { isAttuneError } from '../core/errors';
import type { Logger } from '../core/logger';
import type { AgentDesk } from '../escalation/agent-desk';
import type { ReplySuggester } from '../escalation/suggestions/reply-suggester';
import type { TurnRecord } from '../storage/ports';
import type { StaffAuth } from './auth/staff-auth';
import openApi from './openapi/agent-api.json';
import { withStaff } from './auth/with-staff';
import type { DeskEventStream } from './desk-event-stream';
import { idOf, parseBody } from './request-input';

const DESK_ROLES = ['agent', 'supervisor'] as const;
const textBody = z.object({ text: z.string().min(1, 'text is required').max(4000, 'text is at most 4000 characters') });
const messageBody = textBody.extend({
  clientMessageId: z.string().regex(/^[\w-]{8,64}$/, 'clientMessageId is 8 to 64 letters, digits, "_" or "-"').optional(),
});
const transferBody = z.object({ pool: z.enum(['apprentice', 'expert'], { error: () => 'pool must be "apprentice" or "expert"' }) });
const resolveBody = z.object({ disposition: z.string().trim().min(1, 'disposition is required').max(100) });

/** The live side of the desk: the event stream and the reply suggestions. */
export interface DeskAssist {
  readonly stream: DeskEventStream;
  readonly suggester: ReplySuggester;
}

export function registerAgentApi(server: Server, auth: StaffAuth, desk: AgentDesk, logger: Logger, assist: DeskAssist): void {
  const route = (handler: Parameters<typeof withStaff>[2]) => withStaff(auth, DESK_ROLES, handler, logger);

  // The contract, public like any API reference; a test checks it lists every route.
  server.get('/api/agent/openapi.json', async (_req, res) => {
    res.send(200, openApi);
  });

  server.get('/api/agent/queue', route(async (_req, res, agent) => {
    res.send(200, { chats: await desk.waiting(agent) });
  }));

  // The chats the agent holds (a supervisor: all in progress): the desk reloads them after a reload.
  server.get('/api/agent/chats', route(async (_req, res, agent) => {
    res.send(200, { chats: await desk.held(agent) });
  }));

  server.get('/api/agent/escalations/:id', route(async (req, res, agent) => {
    const { escalation, transcript } = await desk.open(agent, idOf(req, 'escalation id'));
    const { conversationReference: _reference, ...visible } = escalation;
    res.send(200, { escalation: visible, transcript: transcript.map(transcriptLine) });
  }));

  server.get('/api/agent/escalations/:id/suggestions', route(async (req, res, agent) => {
    const { escalation, transcript } = await desk.open(agent, idOf(req, 'escalation id'));
    res.send(200, { suggestions: await assist.suggester.suggest({ escalation, transcript }) });
  }));

  // Server-Sent Events; authenticated like every desk route (401 before the stream starts).
  server.get('/api/agent/events', route(async (req, res, agent) => {
    const authorization = req.header('authorization');
    const stillSignedIn = () =>
      auth.authenticate(authorization).then(
        () => true,
        (error: unknown) => {
          if (isAttuneError(error, 'ATTUNE_UNAUTHORIZED')) return false;
          throw error; // e.g. storage away: not a reason to drop the desk
        },
      );
    await assist.stream.serve(req, res, agent, stillSignedIn);
  }));

  server.post('/api/agent/escalations/:id/take', route(async (req, res, agent) => {
    const taken = await desk.take(agent, idOf(req, 'escalation id'));
    res.send(200, { id: taken.id, status: taken.status, agentId: taken.agentId });
  }));

  server.post('/api/agent/escalations/:id/messages', route(async (req, res, agent) => {
    const message = parseBody(messageBody, req.body);
    const turn = await desk.sendMessage(agent, idOf(req, 'escalation id'), message);
    res.send(202, { delivered: true, turn: transcriptLine(turn) });
  }));

  server.post('/api/agent/escalations/:id/notes', route(async (req, res, agent) => {
    const { text } = parseBody(textBody, req.body);
    const note = await desk.addNote(agent, idOf(req, 'escalation id'), text);
    res.send(201, { saved: true, turn: transcriptLine(note) });
  }));

  server.post('/api/agent/escalations/:id/transfer', route(async (req, res, agent) => {
    const { pool } = parseBody(transferBody, req.body);
    const moved = await desk.transfer(agent, idOf(req, 'escalation id'), pool);
    res.send(200, { id: moved.id, status: moved.status, pool: moved.pool });
  }));

  server.post('/api/agent/escalations/:id/resolve', route(async (req, res, agent) => {
    const { disposition } = parseBody(resolveBody, req.body);
    const resolved = await desk.resolve(agent, idOf(req, 'escalation id'), disposition);
    res.send(200, { id: resolved.id, status: resolved.status });
  }));
}

/**
 * One transcript line as the desk shows it: what was said, and for customer turns what the bot made
 * of it and what was masked in it (counts, never the digits).
 */
function transcriptLine({ id, role, text, at, understanding, frustration, masked }: TurnRecord) {
  return { id, role, text, at, intent: understanding?.intent.intent, frustration: frustration?.score, reasons: frustration?.reasons, masked };
}


/**
 * The admin pages under /admin, for supervisors: Bull Board at /admin/queues when the queues are
 * on Redis. Browsers reach them with the admin session cookie set at sign-in (or a bearer header).
 * Without Redis the routes still exist and are guarded the same way; they answer 404 saying why.
 */
import type { Server } from 'restify';
import type { Logger } from '../../core/logger';
import { ADMIN_ROLES } from '../auth/admin-session-cookie';
import type { StaffAuth } from '../auth/staff-auth';
import { withAdminSession } from '../auth/with-admin-session';
import { bullBoardHandler } from './bull-board';
import type { BullMqQueueViews } from './bullmq-queue-views';

export const ADMIN_QUEUES_PATH = '/admin/queues';

/** @param queues the BullMQ queues to show; undefined when the in-process queue is in use. */
export function registerAdminRoutes(server: Server, auth: StaffAuth, queues: BullMqQueueViews | undefined, logger: Logger): void {
  const board = queues === undefined ? undefined : bullBoardHandler(ADMIN_QUEUES_PATH, queues);
  const handler = withAdminSession(auth, ADMIN_ROLES, async (req, res) => {
    res.header('Cache-Control', 'no-store');
    if (board === undefined) {
      res.send(404, {
        code: 'ATTUNE_NOT_FOUND',
        message: 'The queue board needs the queues on Redis (set REDIS_URL); this instance uses the in-process queue, whose chats are listed by GET /api/agent/queue.',
      });
      return;
    }
    await board(req, res);
  }, logger);
  server.get(ADMIN_QUEUES_PATH, handler);
  // Bull Board's page assets and its JSON API, under the same guard.
  const everything = `${ADMIN_QUEUES_PATH}/*`;
  server.get(everything, handler);
  server.put(everything, handler);
  server.post(everything, handler);
  server.patch(everything, handler);
  server.del(everything, handler);
}

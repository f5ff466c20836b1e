/**
 * Bull Board (@bull-board/express) served inside restify. An express app is a plain
 * `(req, res, next)` function over Node's request and response, so restify hands it the request
 * after restify has authenticated it. Two things need care:
 *
 * - express re-points the request's and response's prototypes at its own; they are put back
 *   when express is done, so restify's own methods (req.path(), logging) work afterwards;
 * - restify has already read the body; express.json sees a finished stream and leaves the body
 *   restify parsed in place.
 *
 * Every queue is read-only in the board: the escalations store is the source of truth and the
 * queue is rebuilt from it, so removing or retrying a chat job here would only put the two out of
 * step. Changes go through the agent API.
 */
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import express from 'express';
import type { Request, Response } from 'restify';
import type { BullMqQueueViews } from './bullmq-queue-views';

export type NodeHandler = (req: Request, res: Response) => Promise<void>;

/** A handler that serves Bull Board for `queues` under `basePath`. */
export function bullBoardHandler(basePath: string, queues: BullMqQueueViews): NodeHandler {
  const serverAdapter = new ExpressAdapter().setBasePath(basePath);
  createBullBoard({
    queues: [...Object.values(queues.chats), queues.timers].map((queue) => new BullMQAdapter(queue, { readOnlyMode: true })),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'attune queues' } },
  });
  const app = express();
  app.disable('x-powered-by');
  app.use(basePath, serverAdapter.getRouter());
  return (req, res) => runExpress(app, req, res);
}

/** Runs an express app on restify's request and response and resolves when the response is done. */
function runExpress(app: express.Express, req: Request, res: Response): Promise<void> {
  const requestPrototype: object | null = Object.getPrototypeOf(req);
  const responsePrototype: object | null = Object.getPrototypeOf(res);
  return new Promise<void>((resolve) => {
    const restore = () => {
      Object.setPrototypeOf(req, requestPrototype);
      Object.setPrototypeOf(res, responsePrototype);
      resolve();
    };
    res.once('finish', restore);
    res.once('close', restore);
    app(req as unknown as express.Request, res as unknown as express.Response, (error?: unknown) => {
      // Nothing in the board matched (or it failed before answering): answer in attune's shape.
      Object.setPrototypeOf(req, requestPrototype);
      Object.setPrototypeOf(res, responsePrototype);
      if (res.headersSent) return;
      if (error === undefined) res.send(404, { code: 'ATTUNE_NOT_FOUND', message: 'No such admin page.' });
      else res.send(500, { message: 'The queue board failed; see the server log.' });
    });
  });
}

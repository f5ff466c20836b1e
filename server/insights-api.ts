/**
 * The insights API (roles `supervisor` and `content`): the dashboard's numbers as JSON, and the
 * same as CSV for spreadsheets.
 */
import type { Request, Server } from 'restify';
import { AttuneError } from '../core/errors';
import type { Logger } from '../core/logger';
import { insightsToCsv } from '../insights/insights-csv';
import type { InsightsService } from '../insights/insights-service';
import type { StaffAuth } from './auth/staff-auth';
import { withStaff } from './auth/with-staff';

const INSIGHTS_ROLES = ['supervisor', 'content'] as const;
const DEFAULT_DAYS = 14;

export function registerInsightsApi(server: Server, auth: StaffAuth, insights: InsightsService, logger: Logger): void {
  server.get('/api/insights', withStaff(auth, INSIGHTS_ROLES, async (req, res) => {
    res.send(200, await insights.compute(daysOf(req)));
  }, logger));

  server.get('/api/insights.csv', withStaff(auth, INSIGHTS_ROLES, async (req, res) => {
    const csv = insightsToCsv(await insights.compute(daysOf(req)));
    res.writeHead(200, {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="attune-insights-${new Date().toISOString().slice(0, 10)}.csv"`,
      'Content-Length': Buffer.byteLength(csv),
    });
    res.end(csv);
  }, logger));
}

function daysOf(req: Request): number {
  const raw = (req.query as { days?: unknown } | undefined)?.days;
  if (raw === undefined) return DEFAULT_DAYS;
  const days = Number(raw);
  if (!Number.isInteger(days) || days < 1 || days > 90) throw new AttuneError('ATTUNE_REQUEST_INVALID', 'days must be a whole number from 1 to 90.');
  return days;
}

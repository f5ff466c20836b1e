/** The dashboard's numbers as one CSV (section, key, metric, value, low, high), for spreadsheets. */
import type { Proportion } from '../experiments/statistics';
import type { Insights } from './insights-service';

type Row = readonly [section: string, key: string, metric: string, value: number | string | undefined, low?: number, high?: number];

export function insightsToCsv(insights: Insights): string {
  const rows: Row[] = [];
  const proportion = (section: string, key: string, metric: string, p: Proportion) => rows.push([section, key, metric, p.rate, p.low, p.high], [section, key, `${metric}_n`, p.trials]);
  for (const d of insights.days) {
    for (const metric of ['conversations', 'escalated', 'escalationRate', 'containmentRate', 'customerMessages', 'sentimentMean', 'frustrationMean', 'frustratedMessages'] as const) {
      rows.push(['day', d.day, metric, d[metric]]);
    }
  }
  for (const t of insights.escalationTriggers) rows.push(['escalation_trigger', t.trigger, 'count', t.count]);
  for (const r of insights.escalationReasons) rows.push(['escalation_reason', r.reason, 'count', r.count]);
  for (const p of insights.pools) {
    for (const metric of ['taken', 'waitSecondsMean', 'waitSecondsP90', 'handled', 'handleSecondsMean'] as const) rows.push(['pool', p.pool, metric, p[metric]]);
  }
  for (const c of insights.csat.distribution) rows.push(['csat', String(c.score), 'count', c.count]);
  proportion('csat', 'all', 'satisfied', insights.csat.satisfied);
  for (const o of insights.offers) {
    for (const metric of ['shown', 'accepted', 'declined', 'dismissed', 'optedOut'] as const) rows.push(['offer', o.offerId, metric, o[metric]]);
    proportion('offer', o.offerId, 'acceptance', o.acceptance);
  }
  for (const e of insights.experiments) {
    for (const v of e.variants) {
      const key = `${e.experiment.name} / ${v.variantId}${v.control ? ' (control)' : ''}${v.stopped ? ' (stopped)' : ''}`;
      rows.push(['experiment', key, 'conversations', v.conversations]);
      proportion('experiment', key, 'escalation', v.escalation);
      proportion('experiment', key, 'containment', v.containment);
      proportion('experiment', key, 'csat_satisfied', v.csatSatisfied);
      proportion('experiment', key, 'offer_acceptance', v.offerAcceptance);
      proportion('experiment', key, 'negative', v.negative);
    }
  }
  const lines = [['section', 'key', 'metric', 'value', 'low', 'high'], ...rows.map((r) => [r[0], r[1], r[2], r[3] ?? '', r[4] ?? '', r[5] ?? ''])];
  return `${lines.map((line) => line.map(csvField).join(',')).join('\r\n')}\r\n`;
}

function csvField(value: string | number): string {
  const text = typeof value === 'number' ? String(Math.round(value * 10000) / 10000) : value;
  // Quote what needs it, and defuse spreadsheet formulas in text (CSV injection).
  const safe = /^[=+\-@]/.test(text) && typeof value === 'string' ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

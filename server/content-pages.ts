/**
 * The content studio (/studio) and the insights dashboard (/insights): static pages that sign in
 * with the staff API and call the content and insights APIs. Chart.js is served from node_modules,
 * so the dashboard loads nothing from elsewhere.
 */
import path from 'node:path';
import type { Server } from 'restify';
import { DEFAULT_CSP, serveFile, serveFolder } from './static-files';

export async function registerContentPages(server: Server, projectRoot: string): Promise<void> {
  const web = path.join(projectRoot, 'web');
  for (const page of ['studio', 'insights']) {
    serveFile(server, `/${page}`, path.join(web, page, 'index.html'), { csp: DEFAULT_CSP });
    await serveFolder(server, `/${page}/`, path.join(web, page), { csp: DEFAULT_CSP });
  }
  serveFile(server, '/insights/vendor/chart.umd.js', path.join(projectRoot, 'node_modules', 'chart.js', 'dist', 'chart.umd.js'));
}

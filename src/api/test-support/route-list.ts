// The server's real routes, read from Fastify's own route tree (printRoutes), as `METHOD /path` keys.
// HEAD twins of GET routes and the hidden documentation pages are left out.
import type { App } from '../server.js';

export function serverRoutes(app: App): string[] {
  const lines = app.printRoutes({ commonPrefix: false }).split('\n');
  const stack: string[] = [];
  const routes = new Set<string>();
  for (const line of lines) {
    const match = /^([│ ]*)(?:[└├]── )?(\S+) \(([A-Z, ]+)\)$/.exec(line.replace(/\s+$/, ''));
    if (match === null) continue;
    const depth = (match[1] ?? '').length / 4 + (line.includes('── ') ? 1 : 0);
    stack.length = depth;
    const parent = stack.at(-1) ?? '';
    const path = `${parent}${match[2] ?? ''}`;
    stack.push(path);
    for (const method of (match[3] ?? '').split(',').map((m) => m.trim())) {
      if (method === 'HEAD' || method === '') continue;
      if (path === '/' || path.startsWith('/api/docs')) continue;
      routes.add(`${method} ${path}`);
    }
  }
  return [...routes].sort();
}

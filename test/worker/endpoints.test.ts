import { describe, expect, it } from 'vitest';
import { app } from '../../worker/app.ts';
import { ENDPOINTS } from '../../worker/endpoints.ts';
import { FAVICON_PATH } from '../../worker/favicon.ts';

/** The app's own handlers, minus middleware, the 405 fallbacks and the icon (the sandbox's are not the app's: sandbox/entry.ts). */
function realRoutes(): string[] {
  const seen = new Set<string>();
  for (const route of app.routes) {
    if (route.method === 'ALL' || route.path === '/*' || route.path === FAVICON_PATH) continue;
    if (route.method === 'OPTIONS') continue;
    seen.add(`${route.method} ${route.path}`);
  }
  return [...seen].sort();
}

describe('the documented endpoints', () => {
  it('are exactly the routes the verifier serves', () => {
    expect(ENDPOINTS.map((endpoint) => `${endpoint.method} ${endpoint.path}`).sort()).toEqual(realRoutes());
  });
});

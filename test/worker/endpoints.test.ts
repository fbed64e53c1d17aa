import { describe, expect, it } from 'vitest';
import { app } from '../../worker/app.ts';
import { ENDPOINTS } from '../../worker/endpoints.ts';

/** The app's own handlers, minus middleware, the 405 fallbacks and the sandbox. */
function realRoutes(): string[] {
  const seen = new Set<string>();
  for (const route of app.routes) {
    if (route.method === 'ALL' || route.path.startsWith('/sandbox') || route.path === '/*') continue;
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

/**
 * The sandbox's public face under /sandbox/ (only when SANDBOX is on): the stand-in
 * upstream API for any client, and the small admin API the stand-in SDKs use.
 * Everything is forwarded to the one SandboxUpstream object.
 */
import { Hono } from 'hono';
import { VerifyError } from '../errors.ts';
import type { AppEnv } from '../app.ts';

export const sandboxRoutes = new Hono<AppEnv>();

sandboxRoutes.use('*', async (c, next) => {
  if (!c.get('settings').sandbox) throw new VerifyError('not_found', 'The sandbox is off.');
  // The stand-in SDK runs on any test page: the sandbox answers CORS for everyone.
  if (c.req.method === 'OPTIONS') {
    return c.body(null, 204, {
      'access-control-allow-origin': '*',
      'access-control-allow-methods': 'GET, POST, DELETE, OPTIONS',
      'access-control-allow-headers': 'content-type, authorization',
    });
  }
  await next();
  c.res = new Response(c.res.body, c.res);
  c.res.headers.set('access-control-allow-origin', '*');
});

const ADMIN_PATHS: Record<string, string> = {
  '/sandbox/persons': '/admin/persons',
  '/sandbox/certifications': '/admin/certifications',
  '/sandbox/stats': '/admin/stats',
  '/sandbox/stats/reset': '/admin/stats/reset',
};

sandboxRoutes.all('*', async (c) => {
  const url = new URL(c.req.url);
  let path = ADMIN_PATHS[url.pathname];
  if (!path && (url.pathname.startsWith('/sandbox/iamport/') || url.pathname.startsWith('/sandbox/portone/'))) {
    path = url.pathname.slice('/sandbox'.length);
  }
  if (!path) throw new VerifyError('not_found', 'There is no such sandbox endpoint.');
  const stub = c.env.SANDBOX_UPSTREAM.get(c.env.SANDBOX_UPSTREAM.idFromName('sandbox'));
  return stub.fetch(new Request(new URL(path + url.search, url.origin), c.req.raw));
});

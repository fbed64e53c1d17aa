/**
 * The sandbox's public face under /sandbox/ (only when SANDBOX is on): the stand-in
 * upstream API for any client, and the small admin API the stand-in SDKs use.
 * Everything is forwarded to the one SandboxUpstream object. Mounted by the sandbox's
 * Worker (entry.ts), never by production's.
 */
import { Hono, type Handler } from 'hono';
import { VerifyError } from '../errors.ts';
import type { AppEnv } from '../env.ts';
import { standInObject } from './upstream-object.ts';

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
  '/sandbox/otp/approve': '/admin/otp/approve',
  '/sandbox/stats': '/admin/stats',
  '/sandbox/stats/reset': '/admin/stats/reset',
};

sandboxRoutes.all('*', async (c) => {
  const url = new URL(c.req.url);
  let path = ADMIN_PATHS[url.pathname];
  if (!path && (url.pathname.startsWith('/sandbox/iamport/') || url.pathname.startsWith('/sandbox/portone/'))) {
    path = url.pathname.slice('/sandbox'.length);
  }
  // The stand-in SDKs are static files, served only while the sandbox is on.
  if (!path && c.env.ASSETS && (c.req.method === 'GET' || c.req.method === 'HEAD')) {
    const asset = await c.env.ASSETS.fetch(c.req.raw);
    if (asset.status !== 404) return asset;
  }
  if (!path) throw new VerifyError('not_found', 'There is no such sandbox endpoint.');
  // The body goes over whole, read here: a stream piped into the object, which may answer without
  // reading it (a 401 comes before the body), would still be read after the answer was sent, which
  // workerd refuses ("Can't read from request stream after response has been sent"), and wrangler
  // dev then answered the next request with 503.
  const { method, headers } = c.req.raw;
  const body = method === 'GET' || method === 'HEAD' ? undefined : await c.req.arrayBuffer();
  return standInObject(c.env).fetch(new URL(path + url.search, url.origin), { method, headers, body });
});

/** The demo's files (static assets the Worker sees first): a page for the sandbox only. */
export const DEMO_PATHS = ['/', '/index.html', '/demo.js', '/demo-text.js', '/demo-jws.js', '/demo.css'];

export const demoFile: Handler<AppEnv> = (c) => {
  if (!c.get('settings').sandbox || !c.env.ASSETS) throw new VerifyError('not_found', 'The demo runs on the sandbox only.');
  return c.env.ASSETS.fetch(c.req.raw);
};

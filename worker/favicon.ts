/**
 * The verifier's icon at `/favicon.ico`: browsers ask for it on every page of this origin
 * (the demo, or an endpoint opened in a tab), and a 404 there shows as an error in every
 * visitor's console. An SVG (the demo's check mark), served in every mode: it says nothing
 * about the deployment.
 */
import type { Handler } from 'hono';
import type { AppEnv } from './env.ts';

export const FAVICON_PATH = '/favicon.ico';
const ICON_MAX_AGE_SECONDS = 86_400;

const ICON = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">'
  + '<rect width="32" height="32" rx="8" fill="#1f4fd1"/>'
  + '<path d="M9 16.5l4.5 4.5L23 11.5" fill="none" stroke="#fff" stroke-width="3.2" stroke-linecap="round" stroke-linejoin="round"/>'
  + '</svg>';

export const favicon: Handler<AppEnv> = (c) =>
  c.body(ICON, 200, { 'content-type': 'image/svg+xml', 'cache-control': `public, max-age=${ICON_MAX_AGE_SECONDS}` });

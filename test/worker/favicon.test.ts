import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { fetchWith, VERIFIER } from './support.ts';

describe('the icon', () => {
  it('is served at /favicon.ico, so the demo (or an endpoint opened in a tab) logs no 404', async () => {
    const response = await SELF.fetch(`${VERIFIER}/favicon.ico`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/svg+xml');
    expect(await response.text()).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"[^>]*>.*<\/svg>$/);
  });

  it('is served with the sandbox off too', async () => {
    const response = await fetchWith({ SANDBOX: 'false' }, new Request(`${VERIFIER}/favicon.ico`));
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toMatch(/^public, max-age=\d+$/);
  });
});

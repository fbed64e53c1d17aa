import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';

describe('liveness', () => {
  it('answers /healthz with ok', async () => {
    const response = await SELF.fetch('https://verify.example/healthz');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
  });
});

/** `POST /v1/challenges`: what a challenge says about itself, and the provider it is asked for. */
import { describe, expect, it } from 'vitest';
import { post } from './support.ts';

describe('a challenge', () => {
  it('says when the verifier issued it, on the verifier\'s clock, beside when it expires', async () => {
    const before = Math.floor(Date.now() / 1000);
    const { status, body } = await post('/v1/challenges', {});
    expect(status).toBe(201);
    expect(Number.isInteger(body.issued_at)).toBe(true);
    expect(body.issued_at).toBeGreaterThanOrEqual(before);
    expect(body.issued_at).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
    expect(body.expires_at - body.issued_at).toBe(600);
  });

  it('is issued for the provider asked for: iamport, the default, or portone', async () => {
    for (const provider of ['iamport', 'portone', undefined]) {
      expect((await post('/v1/challenges', { provider })).status).toBe(201);
    }
  });

  it('is refused with invalid_request for any other provider', async () => {
    for (const provider of ['PortOne', 'v2', '', 1, ['portone']]) {
      const { status, body } = await post('/v1/challenges', { provider });
      expect(status).toBe(400);
      expect(body.code).toBe('invalid_request');
    }
  });
});

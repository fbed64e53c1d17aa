/**
 * The sandbox upstream: the one stand-in (standin/stand-in.ts) in a Durable Object, so every
 * isolate sees the same tokens and certifications. Paths: /iamport/... (Iamport V1),
 * /portone/... (PortOne V2), /turnstile/siteverify (Turnstile's check, standin/turnstile.ts)
 * and /admin/... (the sandbox's own API, for the stand-in SDKs).
 */
import { DurableObject } from 'cloudflare:workers';
import { SANDBOX_UPSTREAM_NAME, type Env } from '../env.ts';
import { settingsFrom, type EnvVars } from '../settings.ts';
import { envelope } from './standin/iamport-v1.ts';
import { UpstreamStandIn } from './standin/stand-in.ts';
import { siteverify } from './standin/turnstile.ts';

export class SandboxUpstream extends DurableObject<EnvVars> {
  readonly #standIn: UpstreamStandIn;

  constructor(ctx: DurableObjectState, env: EnvVars) {
    super(ctx, env);
    this.#standIn = new UpstreamStandIn({
      state: ctx.storage,
      // The same credentials the verifier sends: the sandbox accepts what the deployment is set to.
      credentials: () => {
        const { iamport, portone } = settingsFrom(this.env);
        return { iamport: { key: iamport.key, secret: iamport.secret }, portone: { secret: portone.secret } };
      },
    });
  }

  override fetch(request: Request): Promise<Response> {
    const path = new URL(request.url).pathname;
    const [, api, ...rest] = path.split('/');
    const inside = `/${rest.join('/')}`;
    if (api === 'iamport') return this.#standIn.iamport(request, inside);
    if (api === 'portone') return this.#standIn.portone(request, inside);
    if (api === 'admin') return this.#standIn.sandbox(request, inside);
    if (api === 'turnstile' && inside === '/siteverify') return siteverify(request, Date.now());
    return Promise.resolve(envelope(404, null, '요청하신 API를 찾을 수 없습니다.'));
  }
}

/** The sandbox's one stand-in object, which the sandbox's config (wrangler.sandbox.toml) always binds. */
export function standInObject(env: Env): DurableObjectStub {
  if (!env.SANDBOX_UPSTREAM) throw new Error('The sandbox\'s Worker runs without its SANDBOX_UPSTREAM binding: start it with wrangler.sandbox.toml.');
  return env.SANDBOX_UPSTREAM.get(env.SANDBOX_UPSTREAM.idFromName(SANDBOX_UPSTREAM_NAME));
}

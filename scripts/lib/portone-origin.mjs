// The sandbox's PortOne V2 stand-in at an origin of its own, as api.portone.io is one: PortOne's
// server SDK (`@portone/server-sdk`) takes an origin as its base URL and drops any path, so it
// cannot be pointed at {verifier}/sandbox/portone. This forwards every request, as it came, to
// that path of the running sandbox Worker, and its answer back. `npm start` runs it beside
// wrangler dev (scripts/dev.mjs); the end-to-end suites too (test/e2e/support.mjs).
import { createServer } from 'node:http';

/** Headers of one hop only, or that fetch sets itself (it also decodes the body it hands back). */
const NOT_FORWARDED = new Set(['host', 'connection', 'keep-alive', 'content-length', 'transfer-encoding', 'content-encoding']);

const forwardable = (headers) => Object.entries(headers).filter(([name]) => !NOT_FORWARDED.has(name.toLowerCase()));

/** Serve `{verifierOrigin}/sandbox/portone` at `http://{host}:{port}` (port 0: a free one). Resolves to its origin and a `close`. */
export function servePortOneStandIn(verifierOrigin, { port = 0, host = '127.0.0.1' } = {}) {
  const server = createServer(async (incoming, outgoing) => {
    try {
      const chunks = [];
      for await (const chunk of incoming) chunks.push(chunk);
      const hasBody = incoming.method !== 'GET' && incoming.method !== 'HEAD';
      const answer = await fetch(`${verifierOrigin}/sandbox/portone${incoming.url}`, {
        method: incoming.method,
        headers: forwardable(incoming.headers).flatMap(([name, value]) => [value].flat().map((one) => [name, one])),
        body: hasBody ? Buffer.concat(chunks) : undefined,
      });
      const body = Buffer.from(await answer.arrayBuffer());
      outgoing.writeHead(answer.status, Object.fromEntries(forwardable(Object.fromEntries(answer.headers))));
      outgoing.end(body);
    } catch {
      outgoing.writeHead(502, { 'content-type': 'application/json' });
      outgoing.end(JSON.stringify({ type: 'SANDBOX_UNREACHABLE', message: `The sandbox at ${verifierOrigin} did not answer.` }));
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const origin = `http://${host}:${server.address().port}`;
      resolve({ origin, close: () => new Promise((done) => {
        server.close(() => done());
        server.closeAllConnections(); // a client's kept-alive connection would hold the close back
      }) });
    });
  });
}

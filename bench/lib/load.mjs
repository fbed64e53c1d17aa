// Closed-loop load with autocannon: `connections` clients, each sending its next request as soon
// as the last one is answered. Every request takes the next body from a pool prepared beforehand
// (a verification can be exchanged once), so only the measured request is timed. Latencies are
// kept one by one (autocannon's histogram has no p95) and the pool running dry ends the phase.
import autocannon from 'autocannon';
import { summarize } from '../../test/support/measure.mjs';

/**
 * One phase against `url`. Either `amount` requests or `durationS` seconds.
 * `bodies` (strings) are used once each, in order; without them every request is the same.
 */
export function runPhase({ url, method = 'POST', headers = {}, bodies, connections, amount, durationS, okStatus }) {
  return new Promise((resolve, reject) => {
    const latencies = [];
    const statuses = {};
    let next = 0;
    let built = 0; // requests built with a body, the repeats after the pool ran dry included
    let counting = true;
    let poolExhaustedAtMs = null;
    const startedAt = performance.now();
    let instance;
    const requests = [{
      method,
      headers,
      setupRequest(request) {
        if (!bodies) return request;
        built++;
        if (next >= bodies.length) {
          // Nothing fresh to send: stop here rather than send a used verification.
          if (poolExhaustedAtMs === null) poolExhaustedAtMs = performance.now() - startedAt;
          counting = false;
          setImmediate(() => instance.stop());
          return { ...request, body: bodies[bodies.length - 1] };
        }
        return { ...request, body: bodies[next++] };
      },
    }];
    instance = autocannon({
      url,
      connections,
      ...(amount ? { amount } : { duration: durationS }),
      requests,
      timeout: 30,
      setupClient(client) {
        client.on('response', (status, _bytes, durationMs) => {
          if (!counting) return;
          statuses[status] = (statuses[status] ?? 0) + 1;
          if (status === okStatus) latencies.push(durationMs);
        });
      },
    }, (error, result) => {
      if (error) return reject(error);
      const elapsedS = (poolExhaustedAtMs ?? performance.now() - startedAt) / 1000;
      const ok = statuses[okStatus] ?? 0;
      const failed = Object.entries(statuses).filter(([status]) => Number(status) !== okStatus)
        .reduce((sum, [, count]) => sum + count, 0);
      resolve({
        connections,
        mode: amount ? `${amount} requests` : `${durationS} s`,
        elapsed_s: Math.round(elapsedS * 100) / 100,
        sent: bodies ? built : null,
        ok,
        errors: failed + result.errors + result.timeouts,
        statuses,
        socket_errors: result.errors,
        timeouts: result.timeouts,
        throughput_rps: Math.round((ok / elapsedS) * 10) / 10,
        latency_ms: summarize(latencies),
        pool_exhausted_after_s: poolExhaustedAtMs === null ? null : Math.round(poolExhaustedAtMs / 10) / 100,
      });
    });
  });
}

/**
 * Challenges for the load phases, minted with the verifier's own code and settings rather than
 * asked of a verifier: preparing is not measured, and on a busy 2-core machine asking for
 * twenty thousand challenges over HTTP took longer than the phases themselves.
 * Bundled by esbuild when the bench starts (bench/lib/targets.mjs).
 */
import { issueChallenge, type IssuedChallenge } from '../../worker/checks/challenge.ts';

export function mintChallenges(secret: string, origin: string, ttlSeconds: number, count: number): Promise<IssuedChallenge[]> {
  const now = Math.floor(Date.now() / 1000);
  return Promise.all(Array.from({ length: count }, () => issueChallenge(secret, { provider: 'iamport', merchantUid: undefined, origin }, now, ttlSeconds)));
}

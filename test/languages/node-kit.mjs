// The Node kit under the recipes' command-line protocol, so that the shared forgeries' expected
// verdicts are checked against the kit itself and not only written down: `valid <claims>` or
// `refused <code>` per token argument, the policy from ISSUER, SITE_ORIGIN, MIN_AGE, MIN_YEAR_AGE, GUARDIAN_UNDER and NONCE.
import { AttestationError, verifyAttestation } from 'iamport-verify/server';

const options = {
  issuer: process.env.ISSUER,
  audience: process.env.SITE_ORIGIN,
  ...(process.env.MIN_AGE ? { minAge: Number(process.env.MIN_AGE) } : {}),
  ...(process.env.MIN_YEAR_AGE ? { minYearAge: Number(process.env.MIN_YEAR_AGE) } : {}),
  ...(process.env.GUARDIAN_UNDER ? { requireGuardianUnder: Number(process.env.GUARDIAN_UNDER) } : {}),
  ...(process.env.NONCE ? { nonce: process.env.NONCE } : {}),
};
let allValid = true;
for (const token of process.argv.slice(2)) {
  try {
    console.log('valid', JSON.stringify(await verifyAttestation(token, options)));
  } catch (error) {
    if (!(error instanceof AttestationError)) throw error;
    console.log('refused', error.code);
    allValid = false;
  }
}
process.exitCode = allValid ? 0 : 1;

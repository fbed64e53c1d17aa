#!/usr/bin/env node
// `npm run wordpress`: a local WordPress with the iamport-verify plugin active and set up against
// the verifier on the sandbox (both started here), to try the age-gated, one-account-per-person
// registration with no account and no network. Everything (database, site) lives in temporary
// directories and is gone when you stop it (Ctrl-C). PORT sets WordPress's port (default 8888).
import { startWordPress } from '../test/support/wordpress.mjs';
import { startVerifier } from '../test/e2e/support.mjs';

const port = Number(process.env.PORT ?? 8888);
const siteOrigin = `http://127.0.0.1:${port}`;

console.log('Starting the verifier (wrangler dev, sandbox) and WordPress (MariaDB, PHP)...');
const verifier = await startVerifier({ origins: [siteOrigin] });
let wordpress;
try {
  wordpress = await startWordPress({
    port,
    settings: {
      verifier_url: verifier.origin, provider: 'iamport', imp_code: 'imp00000000', store_id: '', channel_key: '',
      age_rule: 'min_age', age: 19, require_on_registration: true, one_account_per_person: true,
    },
  });
} catch (error) {
  await verifier.stop();
  throw error;
}

console.log(`
  WordPress with iamport-verify:  ${wordpress.origin}/
  Register (the tag):             ${wordpress.origin}/wp-login.php?action=register
  Settings → iamport-verify:      ${wordpress.origin}/wp-admin/options-general.php?page=iamport-verify
  Administrator:                  ${wordpress.admin.login} / ${wordpress.admin.password}
  The verifier (sandbox):         ${verifier.origin}/

  Register, click the tag and pick a test person: "Adult (34)" registers once; a second account for
  the same person, or "Minor (17)", is refused. Ctrl-C stops everything and deletes the site.
`);
// Ctrl-C: support.mjs exits, and the exit hooks stop every process group and delete the temporary directories.

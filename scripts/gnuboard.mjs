#!/usr/bin/env node
// `npm run gnuboard`: a local Gnuboard 5 (from GNUBOARD_DIR, default ../shared/gnuboard5) with the iamport-verify
// add-on installed and set up against the verifier on the sandbox (both started here), an adult board, and
// Gnuboard's own certification gate on, to try sign-up and 19+ boards with no account and no network.
// Everything (database, site) lives in temporary directories and is gone when you stop it (Ctrl-C).
// PORT sets Gnuboard's port (default 8889).
import { ANSWER_CAPTCHA_EXTEND, setUpForTrying, startGnuboard } from '../test/support/gnuboard.mjs';
import { startVerifier } from '../test/e2e/support.mjs';

const port = Number(process.env.PORT ?? 8889);
const siteOrigin = `http://127.0.0.1:${port}`;
/** The installed board made a 19+ board here (게시판관리 → 본인확인 사용: 성인인증된 회원만). */
const ADULT_BOARD = 'free';

console.log('Starting the verifier (wrangler dev, sandbox) and Gnuboard (MariaDB, PHP)...');
const verifier = await startVerifier({ origins: [siteOrigin] });
let gnuboard;
try {
  gnuboard = await startGnuboard({ port, extend: { zz_demo_captcha: ANSWER_CAPTCHA_EXTEND } });
} catch (error) {
  await verifier.stop();
  throw error;
}
setUpForTrying(gnuboard, { verifierUrl: verifier.origin, adultBoard: ADULT_BOARD });

console.log(`
  Gnuboard with iamport-verify:   ${gnuboard.origin}/
  Sign up (the tag):              ${gnuboard.origin}/bbs/register.php   (any captcha answer: this demo site answers it)
  19+ board:                      ${gnuboard.origin}/bbs/board.php?bo_table=${ADULT_BOARD}
  Settings (회원관리 → 본인확인):   ${gnuboard.origin}/plugin/iamport-verify/adm/settings.php
  Administrator:                  ${gnuboard.admin.id} / ${gnuboard.admin.password}
  The verifier (sandbox):         ${verifier.origin}/

  Sign up, click the tag and pick a test person: "Adult (34)" signs up once; a second account for the
  same person, or "Minor (17)", is refused. Ctrl-C stops everything and deletes the site.
`);
// Ctrl-C: support.mjs exits, and the exit hooks stop every process group and delete the temporary directories.

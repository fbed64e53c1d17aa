// What the WordPress suites share: a browser context per scenario, and logging in as a user.

/** `scenario(page)` in a fresh context of `browser` (its own cookies), closed whatever happens. */
export async function withPage(browser, scenario) {
  const context = await browser.newContext({ locale: 'en-US' });
  try {
    return await scenario(await context.newPage(), context);
  } finally {
    await context.close();
  }
}

/** Log `user` ({ login, password }) in through the site's wp-login.php. */
export async function logIn(page, origin, user) {
  await page.goto(`${origin}/wp-login.php`);
  await page.fill('#user_login', user.login);
  await page.fill('#user_pass', user.password);
  await Promise.all([page.waitForNavigation(), page.click('#wp-submit')]);
}

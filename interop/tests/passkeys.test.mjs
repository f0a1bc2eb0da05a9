// Passkeys through Signet's real pages in headless Chromium with a DevTools-protocol virtual
// authenticator (CTAP2, resident keys, user verification): register on the security page, sign
// in with the passkey alone, and use it as the second factor after a password. Screenshots of
// the security page and the second-factor page go to interop/artifacts/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startSignet, artifacts, mailed } from '../lib/signet.mjs';
import { launch } from '../lib/browser.mjs';

test('passkey: register, sign in without a username, and as a second factor in Chromium', async () => {
  const signet = await startSignet({ SIGNET_ISSUER: 'auto-localhost' });
  const base = signet.issuer; // http://localhost:PORT: the origin passkeys are bound to
  const ctx = await launch();
  try {
    const page = await ctx.newPage();
    const cspViolations = [];
    page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text()); });
    const cdp = await ctx.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2', transport: 'internal', hasResidentKey: true,
        hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true,
      },
    });

    const password = 'passkeys are nicer than passwords';
    await page.goto(`${base}/signup`);
    await page.getByLabel('Email').fill('passkey@example.com');
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Create account' }).click();
    // "Check your inbox": the code from the mail, typed into the form on that page.
    await page.locator('#verify-sent').waitFor();
    const [, code] = await mailed(signet.dataDir, /Your code: (\d{6})/);
    await page.locator('#code').fill(code);
    await page.locator('form[action="/verify-email"] button.primary').click();
    await page.waitForURL(/\/login\?notice=email_verified/);
    await page.locator('#email').fill('passkey@example.com');
    await page.locator('#password').fill(password);
    await page.locator('form[action="/login"] button[type=submit]').click();
    await page.waitForURL(`${base}/account`);

    await page.getByRole('link', { name: 'Two-step verification and passkeys' }).click();
    await page.waitForURL(`${base}/account/security`);
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await page.waitForURL(/\/account\/security\?notice=passkey_added/);
    assert.match(await page.locator('.notice').textContent(), /passkey was added/);
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
    assert.equal(credentials.length, 1);
    assert.equal(credentials[0].isResidentCredential, true, 'a discoverable credential');
    assert.equal(credentials[0].rpId, 'localhost');
    await page.screenshot({ path: join(artifacts, 'security.png'), fullPage: true });

    // Sign out, then sign in with the passkey alone: no email, no password. The login page
    // offers the passkey in autofill (conditional UI), which the virtual authenticator accepts at
    // once; where it does not, the button does the same.
    await page.getByRole('button', { name: 'Sign out', exact: true }).first().click();
    await page.waitForURL(`${base}/account`, { timeout: 5000 }).catch(async () => {
      await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
      await page.waitForURL(`${base}/account`);
    });
    assert.equal(await page.locator('#account-email').textContent(), 'passkey@example.com');

    // With a passkey registered, a password alone is not enough: the second-factor page asks
    // for the passkey. (No automatic approval while typing the password, so autofill waits.)
    await cdp.send('WebAuthn.setAutomaticPresenceSimulation', { authenticatorId, enabled: false });
    await page.getByRole('button', { name: 'Sign out', exact: true }).first().click();
    await page.waitForURL(/\/login/);
    await page.getByLabel('Email').fill('passkey@example.com');
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(`${base}/login/second-factor`);
    await page.screenshot({ path: join(artifacts, 'second-factor.png'), fullPage: true });
    await cdp.send('WebAuthn.setAutomaticPresenceSimulation', { authenticatorId, enabled: true });
    await page.getByRole('button', { name: 'Use a passkey' }).click();
    await page.waitForURL(`${base}/account`);
    assert.equal(await page.locator('#account-email').textContent(), 'passkey@example.com');

    // Forgot the password: the recovery link's page asks for the passkey as the second factor
    // (the account has no authenticator app or backup codes), then sets the new password.
    await page.getByRole('button', { name: 'Sign out', exact: true }).first().click();
    await page.waitForURL(/\/login/);
    await page.goto(`${base}/recover`);
    await page.locator('#email').fill('passkey@example.com');
    await page.locator('form[action="/recover"] button[type=submit]').click();
    await page.locator('#recover-sent').waitFor();
    const [link] = await mailed(signet.dataDir, /\/recover\/sgn_rc_[A-Za-z0-9_-]+/);
    await page.goto(`${base}${link}`);
    const recovered = 'a new passphrase, confirmed by passkey';
    await page.locator('#new_password').fill(recovered);
    await page.getByRole('button', { name: 'Confirm with my passkey and set the password' }).click();
    await page.waitForURL(/\/login\?notice=password_reset/);
    // The new password works (autofill held back while typing, as above).
    await cdp.send('WebAuthn.setAutomaticPresenceSimulation', { authenticatorId, enabled: false });
    await page.reload();
    await page.getByLabel('Email').fill('passkey@example.com');
    await page.getByLabel('Password').fill(recovered);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(`${base}/login/second-factor`);
    await cdp.send('WebAuthn.setAutomaticPresenceSimulation', { authenticatorId, enabled: true });
    await page.getByRole('button', { name: 'Use a passkey' }).click();
    await page.waitForURL(`${base}/account`);

    // The authenticator-app setup page: a server-rendered QR code and the key to type in.
    await page.goto(`${base}/account/security`);
    await page.getByRole('button', { name: 'Set up authenticator app' }).click();
    await page.waitForURL(`${base}/account/security/totp`);
    assert.ok(await page.getByRole('img', { name: /QR code/ }).isVisible());
    assert.match(await page.locator('#totp-secret').textContent(), /^[A-Z2-7]{4}( [A-Z2-7]{4})+$/);
    await page.screenshot({ path: join(artifacts, 'totp-setup.png'), fullPage: true });

    assert.deepEqual(cspViolations, []);
  } finally {
    await ctx.close();
    await signet.stop();
  }
});

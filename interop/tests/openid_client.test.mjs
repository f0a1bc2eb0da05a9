// The acceptance test of "Sign in with Signet": node openid-client v6 (a strict relying party:
// RFC 9207 iss, state, nonce, PKCE, ID token validation) with headless Chromium filling
// Signet's real login and consent pages. Screenshots go to interop/artifacts/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import * as oidc from 'openid-client';
import { startSignet, artifacts } from '../lib/signet.mjs';
import { launch } from '../lib/browser.mjs';

const REDIRECT = 'https://app.example.com/cb';

test('openid-client: discovery, code + PKCE through Chromium, ID token, userinfo, refresh', async () => {
  const signet = await startSignet({ SIGNET_ISSUER: 'auto' });
  const ctx = await launch();
  try {
    signet.cli(['user', 'create', '--email', 'rp@example.com', '--password-stdin'], 'a passphrase for the rp test\n');
    const created = JSON.parse(signet.cli([
      'client', 'create', '--name', 'Node Example App', '--grant', 'authorization_code,refresh_token',
      '--scope', 'openid email offline_access', '--redirect-uri', REDIRECT,
      '--post-logout-redirect-uri', 'https://app.example.com/bye', '--json',
    ]));

    const config = await oidc.discovery(new URL(signet.base), created.client_id, created.client_secret, undefined, {
      execute: [oidc.allowInsecureRequests], // the test server is plain http on loopback
    });
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT, scope: 'openid email offline_access', state, nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    });

    const page = await ctx.newPage();
    let callback;
    await page.route('https://app.example.com/**', (route) => {
      callback = route.request().url();
      route.fulfill({ status: 200, contentType: 'text/html', body: '<p>back at the app</p>' });
    });
    await page.goto(url.href);
    await page.getByLabel('Email').fill('rp@example.com');
    await page.getByLabel('Password').fill('a passphrase for the rp test');
    await page.screenshot({ path: join(artifacts, 'oauth-login.png') });
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('heading', { name: /Allow Node Example App/ }).waitFor();
    await page.screenshot({ path: join(artifacts, 'oauth-consent.png') });
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL(/app\.example\.com\/cb/);
    assert.ok(callback, 'redirected to the client');

    const tokens = await oidc.authorizationCodeGrant(config, new URL(callback), {
      pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce,
    });
    const claims = tokens.claims();
    assert.equal(claims.iss, signet.base);
    assert.equal(claims.aud, created.client_id);
    assert.equal(claims.email, 'rp@example.com');
    assert.ok(tokens.refresh_token.startsWith('sgn_rt_'));

    const info = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
    assert.equal(info.email, 'rp@example.com');

    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token);
    assert.ok(refreshed.access_token && refreshed.refresh_token !== tokens.refresh_token);

    // The account page now lists the app.
    await page.goto(`${signet.base}/account`);
    assert.match(await page.locator('#apps-heading').locator('..').textContent(), /Node Example App/);
    await page.screenshot({ path: join(artifacts, 'account-connected-apps.png'), fullPage: true });

    // RP-initiated logout: the library builds the URL, the browser follows it.
    const logout = oidc.buildEndSessionUrl(config, {
      id_token_hint: tokens.id_token, post_logout_redirect_uri: 'https://app.example.com/bye', state: 'bye-state',
    });
    // The browser context's request client shares its cookies, so this is the browser's
    // session being ended; redirects are not followed, to read where Signet sends it.
    const res = await ctx.request.get(logout.href, { maxRedirects: 0 });
    assert.equal(res.status(), 303);
    assert.equal(res.headers().location, 'https://app.example.com/bye?state=bye-state');
    await page.goto(`${signet.base}/account`);
    assert.match(page.url(), /\/login/, 'signed out of Signet');
  } finally {
    await ctx.close();
    await signet.stop();
  }
});

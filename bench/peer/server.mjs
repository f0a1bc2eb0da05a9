// The benchmark peer: node-oidc-provider, configured as equivalently to Signet as it allows.
// Usage: node server.mjs PORT   (prints "listening on http://127.0.0.1:PORT")
import http from 'node:http';
import crypto from 'node:crypto';
import Provider from 'oidc-provider';

const port = Number(process.argv[2] || 0);
const server = http.createServer();
await new Promise((r) => server.listen(port, '127.0.0.1', r));
const issuer = `http://127.0.0.1:${server.address().port}`;

const jwk = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
Object.assign(jwk, { kid: 'peer-es256', alg: 'ES256', use: 'sig' });

export const CLIENTS = {
  cc: { id: 'bench-cc', secret: 'bench-cc-secret-0123456789abcdef0123456789abcdef' },
  rs: { id: 'bench-rs', secret: 'bench-rs-secret-0123456789abcdef0123456789abcdef' },
  code: { id: 'bench-code' },
};
const REDIRECT_URI = 'https://app.example.com/cb';
const ACCOUNT = 'bench-user';

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: CLIENTS.cc.id, client_secret: CLIENTS.cc.secret, grant_types: ['client_credentials'],
      response_types: [], redirect_uris: [], token_endpoint_auth_method: 'client_secret_basic', scope: 'read write', id_token_signed_response_alg: 'ES256',
    },
    {
      client_id: CLIENTS.rs.id, client_secret: CLIENTS.rs.secret, grant_types: [], response_types: [],
      redirect_uris: [], token_endpoint_auth_method: 'client_secret_basic', id_token_signed_response_alg: 'ES256',
    },
    {
      // Like Signet's bench-code client: public, PKCE, consent skipped after the first grant.
      client_id: CLIENTS.code.id, grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'],
      redirect_uris: [REDIRECT_URI], token_endpoint_auth_method: 'none', scope: 'openid offline_access',
      id_token_signed_response_alg: 'ES256',
    },
  ],
  jwks: { keys: [jwk] },
  // The bench's "user" signs in and consents without a form: the interaction below finishes at
  // once, so the authorize -> code -> token workload measures the protocol, not a login page.
  interactions: { url: (ctx, interaction) => `/bench-interaction/${interaction.uid}` },
  findAccount: (ctx, sub) => ({ accountId: sub, claims: () => ({ sub }) }),
  scopes: ['openid', 'offline_access', 'read', 'write'],
  rotateRefreshToken: true,
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    revocation: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => 'https://api.example.com',
      useGrantedResource: () => true,
      // JWT access tokens (RFC 9068) as Signet issues them; the peer cannot introspect those,
      // so a second resource server gets opaque tokens for the introspection workload.
      getResourceServerInfo: (ctx, indicator) => (indicator === 'https://opaque.example.com'
        ? { scope: 'read write', audience: indicator, accessTokenTTL: 600, accessTokenFormat: 'opaque' }
        : {
          scope: 'read write',
          audience: 'https://api.example.com',
          accessTokenTTL: 600,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'ES256' } },
        }),
    },
  },
});
provider.proxy = false;
const callback = provider.callback();
server.on('request', async (req, res) => {
  if (!req.url.startsWith('/bench-interaction/')) return callback(req, res);
  try {
    const { prompt, params } = await provider.interactionDetails(req, res);
    const grant = new provider.Grant({ accountId: ACCOUNT, clientId: params.client_id });
    grant.addOIDCScope(params.scope);
    const result = { login: { accountId: ACCOUNT }, consent: { grantId: await grant.save() } };
    void prompt;
    await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
  } catch (e) {
    res.statusCode = 400;
    res.end(String(e));
  }
});
console.log(`listening on ${issuer}`);

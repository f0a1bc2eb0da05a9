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
};

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
  ],
  jwks: { keys: [jwk] },
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
server.on('request', provider.callback());
console.log(`listening on ${issuer}`);

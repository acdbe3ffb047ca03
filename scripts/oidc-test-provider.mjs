// A real OpenID Connect provider for tests (npm package oidc-provider): tests/accounts/test_oidc.py.
//
// 1. Reads its set-up from the environment: OIDC_TEST_PORT, OIDC_TEST_CLIENTS (JSON list of
//    client metadata: client_id, client_secret or jwks, redirect_uris) and OIDC_TEST_ACCOUNTS
//    (JSON object: account id -> extra claims, e.g. {"lege": {"helseid://claims/hpr/hpr_number": "9100001"}}).
// 2. Serves discovery, JWKS (a fresh RSA key per run), authorization (code + PKCE), token and userinfo.
// 3. Logs in through the development interactions: POST /interaction/<uid> with prompt=login and
//    login=<account id> (no password). Consent is granted automatically (loadExistingGrant),
//    so a test drives the whole login with plain HTTP requests.
// 4. Prints "ready <issuer>" when listening. Never use this outside tests.
// 5. Optional, for systems (tests/accounts/test_tokens.py, tests/interop): OIDC_TEST_RESOURCE_SERVERS, a JSON object
//    resource indicator -> {"scope": "helhet/api.read ...", "accessTokenTTL": seconds}. With it the client_credentials
//    grant is enabled and a token request with resource=<indicator> gets a JWT access token (RFC 9068) whose aud is
//    the indicator and whose scope is the requested scopes the resource server knows (HelseID's client credentials).
//    Without it the provider behaves as before (opaque access tokens, no client_credentials).
import { generateKeyPairSync } from 'node:crypto';
import Provider, { errors } from 'oidc-provider';

const port = Number(process.env.OIDC_TEST_PORT || 9000);
const issuer = `http://127.0.0.1:${port}`;
const clients = JSON.parse(process.env.OIDC_TEST_CLIENTS || '[]');
const accounts = JSON.parse(process.env.OIDC_TEST_ACCOUNTS || '{}');

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'test-key-1', use: 'sig', alg: 'RS256' };

const resourceServers = JSON.parse(process.env.OIDC_TEST_RESOURCE_SERVERS || '{}');
const withSystems = Object.keys(resourceServers).length > 0;
const systemScopes = [...new Set(Object.values(resourceServers).flatMap((r) => r.scope.split(' ')))];

const customClaims = new Set();
for (const claims of Object.values(accounts)) Object.keys(claims).forEach((c) => customClaims.add(c));

const configuration = {
  clients,
  jwks: { keys: [jwk] },
  cookies: { keys: ['helhet-test-cookie-key-not-secret'] },
  pkce: { required: () => true },
  // HelseID and ID-porten put the identity claims in the ID token itself.
  conformIdTokenClaims: false,
  claims: {
    openid: ['sub'],
    profile: ['given_name', 'family_name', 'name'],
    'helseid://scopes/identity/hpr_number': ['helseid://claims/hpr/hpr_number'],
    'helseid://scopes/identity/pid': ['pid'],
    pid: ['pid'],
  },
  scopes: ['openid', 'profile', 'offline_access', 'helseid://scopes/identity/hpr_number', 'helseid://scopes/identity/pid', 'pid', ...systemScopes],
  features: {
    devInteractions: { enabled: true },
    ...(withSystems
      ? {
          clientCredentials: { enabled: true },
          resourceIndicators: {
            enabled: true,
            defaultResource: async (ctx, client, oneOf) => oneOf,
            useGrantedResource: async () => false,
            async getResourceServerInfo(ctx, resourceIndicator) {
              const server = resourceServers[resourceIndicator];
              if (!server) throw new errors.InvalidTarget();
              return {
                scope: server.scope,
                audience: resourceIndicator,
                accessTokenTTL: server.accessTokenTTL || 300,
                accessTokenFormat: 'jwt',
                jwt: { sign: { alg: 'RS256' } },
              };
            },
          },
        }
      : {}),
  },
  async findAccount(ctx, id) {
    if (!(id in accounts)) return undefined;
    return {
      accountId: id,
      async claims() {
        return { sub: id, ...accounts[id] };
      },
    };
  },
  async loadExistingGrant(ctx) {
    // First-party client: consent is implied, every requested scope and claim is granted.
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope(ctx.oidc.params.scope || 'openid');
    grant.addOIDCClaims([...customClaims, 'given_name', 'family_name', 'name']);
    await grant.save();
    return grant;
  },
  ttl: { Session: 600, Interaction: 600, Grant: 600, AccessToken: 600, AuthorizationCode: 60, IdToken: 600 },
};

const provider = new Provider(issuer, configuration);
provider.listen(port, '127.0.0.1', () => {
  console.log(`ready ${issuer}`);
});

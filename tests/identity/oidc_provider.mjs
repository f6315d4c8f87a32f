// A real OpenID Provider for the tests: the certified `oidc-provider` package on a loopback
// port, with one confidential client (tocsin) and a tiny login page of its own where the
// test types an e-mail and says whether a second factor was used (amr/acr in the ID token).
//
//   OIDC_PORT OIDC_CLIENT_ID OIDC_CLIENT_SECRET OIDC_REDIRECT_URI [OIDC_ROLES (JSON)]
//   [OIDC_CONFORM=1]
//   node tests/identity/oidc_provider.mjs   ->  prints "ready <issuer>" once it listens
import http from "node:http";
import { generateKeyPair, exportJWK } from "jose";
import Provider from "oidc-provider";

const port = Number(process.env.OIDC_PORT);
const issuer = `http://localhost:${port}`;
const roles = JSON.parse(process.env.OIDC_ROLES || "{}");

const { privateKey } = await generateKeyPair("RS256", { extractable: true });
const signing = { ...(await exportJWK(privateKey)), kid: "test-key-1", alg: "RS256", use: "sig" };

const provider = new Provider(issuer, {
  clients: [{
    client_id: process.env.OIDC_CLIENT_ID,
    client_secret: process.env.OIDC_CLIENT_SECRET,
    redirect_uris: [process.env.OIDC_REDIRECT_URI],
    grant_types: ["authorization_code"],
    response_types: ["code"],
    token_endpoint_auth_method: "client_secret_basic",
  }],
  jwks: { keys: [signing] },
  cookies: { keys: ["tocsin-test-provider-cookie-key"] },
  scopes: ["openid", "email", "profile", "roles"],
  claims: {
    // acr and amr travel with the openid scope: the hub reads the provider's MFA from them.
    openid: ["sub", "acr", "amr", "auth_time"], email: ["email", "email_verified"],
    profile: ["name", "given_name", "family_name"], roles: ["roles"], sid: null,
  },
  acrValues: ["eidas1", "eidas2"],
  // By default the e-mail and roles travel in the ID token itself; OIDC_CONFORM=1 keeps
  // them in UserInfo only, as some providers do (the hub then asks UserInfo).
  conformIdTokenClaims: process.env.OIDC_CONFORM === "1",
  features: { devInteractions: { enabled: false } },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  findAccount: async (ctx, id) => ({
    accountId: id,
    async claims() {
      return {
        sub: id, email: id, email_verified: true, name: `Person ${id.split("@")[0]}`,
        roles: roles[id] || ["staff"],
      };
    },
  }),
  pkce: { required: () => true },
});

function page(uid) {
  return `<!doctype html><html><head><title>Test provider</title></head><body>
<h1>Test identity provider</h1>
<form method="post" action="/interaction/${uid}/login">
<label>E-mail <input name="login" type="email" autofocus></label>
<label>Password <input name="password" type="password"></label>
<label><input type="checkbox" name="mfa" value="1"> One-time code used</label>
<button type="submit" id="provider-submit">Sign in</button></form></body></html>`;
}

async function body(req) {
  let text = "";
  for await (const chunk of req) text += chunk;
  return new URLSearchParams(text);
}

async function interaction(req, res) {
  const details = await provider.interactionDetails(req, res);
  const { prompt, params, session, uid } = details;
  if (req.method === "GET" && prompt.name === "login") {
    res.writeHead(200, { "content-type": "text/html" });
    res.end(page(uid));
    return;
  }
  let result;
  if (prompt.name === "login") {
    const form = await body(req);
    const mfa = form.get("mfa") === "1";
    result = { login: { accountId: form.get("login"), amr: mfa ? ["pwd", "otp"] : ["pwd"],
                        acr: mfa ? "eidas2" : "eidas1" } };
  } else {
    const grant = new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    grant.addOIDCScope(params.scope);
    result = { consent: { grantId: await grant.save() } };
  }
  await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
}

const callback = provider.callback();
const server = http.createServer((req, res) => {
  if (req.url.startsWith("/interaction/")) {
    interaction(req, res).catch((error) => {
      res.writeHead(500, { "content-type": "text/plain" });
      res.end(String(error));
    });
    return;
  }
  callback(req, res);
});
server.listen(port, "127.0.0.1", () => console.log(`ready ${issuer}`));
process.on("SIGTERM", () => server.close(() => process.exit(0)));

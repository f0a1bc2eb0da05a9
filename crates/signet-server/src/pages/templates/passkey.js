// Passkeys for Signet's pages: registration on /account/security, sign-in on /login (button
// and, where the browser supports it, autofill) and on /login/second-factor, and the second
// factor of a password recovery on /recover/{token}. The server does
// every check; this script only moves bytes between it and navigator.credentials.
"use strict";
(function () {
  const enc = (buf) => btoa(String.fromCharCode(...new Uint8Array(buf)))
    .replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  const dec = (s) => Uint8Array.from(atob(s.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0)).buffer;

  function creationOptions(o) {
    const pk = Object.assign({}, o.publicKey);
    pk.challenge = dec(pk.challenge);
    pk.user = Object.assign({}, pk.user, { id: dec(pk.user.id) });
    pk.excludeCredentials = (pk.excludeCredentials || []).map((c) => Object.assign({}, c, { id: dec(c.id) }));
    return { publicKey: pk };
  }
  function requestOptions(o, mediation) {
    const pk = Object.assign({}, o.publicKey);
    pk.challenge = dec(pk.challenge);
    pk.allowCredentials = (pk.allowCredentials || []).map((c) => Object.assign({}, c, { id: dec(c.id) }));
    const out = { publicKey: pk };
    if (mediation) out.mediation = mediation;
    return out;
  }
  function registrationJSON(c) {
    return {
      id: c.id, rawId: enc(c.rawId), type: c.type,
      response: {
        attestationObject: enc(c.response.attestationObject),
        clientDataJSON: enc(c.response.clientDataJSON),
        transports: c.response.getTransports ? c.response.getTransports() : [],
      },
      extensions: c.getClientExtensionResults ? c.getClientExtensionResults() : {},
    };
  }
  function assertionJSON(c) {
    return {
      id: c.id, rawId: enc(c.rawId), type: c.type,
      response: {
        authenticatorData: enc(c.response.authenticatorData),
        clientDataJSON: enc(c.response.clientDataJSON),
        signature: enc(c.response.signature),
        userHandle: c.response.userHandle ? enc(c.response.userHandle) : null,
      },
      extensions: c.getClientExtensionResults ? c.getClientExtensionResults() : {},
    };
  }
  async function post(url, csrf, body) {
    const r = await fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(body),
    });
    const data = await r.json().catch(() => ({}));
    if (!r.ok) throw new Error(data.error_description || messages().failed || "Something went wrong. Try again.");
    return data;
  }
  // Messages in the page's language come from the page (data-cancelled, data-failed).
  function messages() {
    const el = document.getElementById("passkey-login") || document.getElementById("passkey-register");
    return el ? el.dataset : {};
  }
  function showError(el, e) {
    if (!el) return;
    const cancelled = messages().cancelled || "The passkey request was cancelled or timed out.";
    el.textContent = e.name === "NotAllowedError" ? cancelled : e.message;
    el.hidden = false;
  }

  // Sign in (login page: the passkey alone; second-factor page: after the password).
  const login = document.getElementById("passkey-login");
  if (login && window.PublicKeyCredential) {
    // Shown only now: without scripts or WebAuthn the button would do nothing.
    login.hidden = false;
    const mode = login.dataset.mode, csrf = login.dataset.csrf, err = document.getElementById("passkey-error");
    // The autofill (conditional) request waits in the background; the button cancels it first,
    // since a browser runs one WebAuthn request at a time.
    let conditional = null;
    // Recovery: the passkey proves the second factor of a recovery link, then the page's
    // new-password form is sent as usual (the server checks the proof).
    if (mode === "recover") {
      const form = document.getElementById(login.dataset.form), token = login.dataset.token;
      document.getElementById("passkey-button").addEventListener("click", async () => {
        if (!form.reportValidity()) return;
        try {
          const start = await post("/login/passkey/start", csrf, { mode, token });
          const cred = await navigator.credentials.get(requestOptions(start.options, null));
          await post("/login/passkey/finish", csrf, { id: start.id, mode, token, credential: assertionJSON(cred) });
          form.submit();
        } catch (e) {
          showError(err, e);
        }
      });
      return;
    }
    async function signIn(mediation) {
      const start = await post("/login/passkey/start", csrf, { mode });
      const opts = requestOptions(start.options, mediation);
      if (mediation === "conditional") {
        conditional = new AbortController();
        opts.signal = conditional.signal;
      }
      const cred = await navigator.credentials.get(opts);
      const done = await post("/login/passkey/finish", csrf,
        { id: start.id, mode, credential: assertionJSON(cred), return_to: login.dataset.returnTo || "" });
      window.location.assign(done.redirect);
    }
    let background = Promise.resolve();
    document.getElementById("passkey-button").addEventListener("click", async () => {
      if (conditional) conditional.abort();
      await background;
      signIn(null).catch((e) => showError(err, e));
    });
    // Conditional UI: passkeys offered in the email field's autofill.
    if (mode === "login" && PublicKeyCredential.isConditionalMediationAvailable) {
      background = PublicKeyCredential.isConditionalMediationAvailable()
        .then((ok) => (ok ? signIn("conditional") : null))
        .catch(() => {});
    }
  } else if (login) {
    login.hidden = true;
  }

  // Add a passkey (account security page).
  const reg = document.getElementById("passkey-register");
  if (reg && window.PublicKeyCredential) {
    reg.hidden = false;
    const err = document.getElementById("passkey-error");
    document.getElementById("passkey-add").addEventListener("click", async () => {
      try {
        const start = await post("/account/security/passkeys/register/start", reg.dataset.csrf, {});
        const cred = await navigator.credentials.create(creationOptions(start.options));
        const done = await post("/account/security/passkeys/register/finish", reg.dataset.csrf,
          { id: start.id, credential: registrationJSON(cred), return_to: reg.dataset.returnTo || "" });
        window.location.assign(done.redirect);
      } catch (e) {
        showError(err, e);
      }
    });
  } else if (reg) {
    reg.hidden = true;
  }
})();

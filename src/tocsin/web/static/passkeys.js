// Passkeys (WebAuthn): register from the security page, sign in at the second step.
// The server sends the options as JSON (binary fields in base64url) and verifies the answer.
"use strict";

(function () {
  function fromBase64url(text) {
    var base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (base64.length % 4) base64 += "=";
    var raw = atob(base64);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes.buffer;
  }

  function toBase64url(buffer) {
    var bytes = new Uint8Array(buffer);
    var raw = "";
    for (var i = 0; i < bytes.length; i++) raw += String.fromCharCode(bytes[i]);
    return btoa(raw).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function descriptors(list) {
    return (list || []).map(function (item) {
      return { type: item.type, id: fromBase64url(item.id), transports: item.transports };
    });
  }

  function creationOptions(json) {
    json.challenge = fromBase64url(json.challenge);
    json.user.id = fromBase64url(json.user.id);
    json.excludeCredentials = descriptors(json.excludeCredentials);
    return { publicKey: json };
  }

  function requestOptions(json) {
    json.challenge = fromBase64url(json.challenge);
    json.allowCredentials = descriptors(json.allowCredentials);
    return { publicKey: json };
  }

  function credentialJson(credential) {
    var response = credential.response;
    var out = { id: credential.id, rawId: toBase64url(credential.rawId), type: credential.type,
                clientExtensionResults: credential.getClientExtensionResults(), response: {} };
    out.response.clientDataJSON = toBase64url(response.clientDataJSON);
    if (response.attestationObject) {
      out.response.attestationObject = toBase64url(response.attestationObject);
      if (response.getTransports) out.response.transports = response.getTransports();
    } else {
      out.response.authenticatorData = toBase64url(response.authenticatorData);
      out.response.signature = toBase64url(response.signature);
      if (response.userHandle) out.response.userHandle = toBase64url(response.userHandle);
    }
    return JSON.stringify(out);
  }

  function post(url, fields) {
    var body = new FormData();
    body.append("csrf_token", document.body.dataset.csrf || "");
    Object.keys(fields).forEach(function (name) { body.append(name, fields[name]); });
    return fetch(url, { method: "POST", body: body, credentials: "same-origin" });
  }

  function showError(text) {
    var box = document.getElementById("passkey-error");
    if (!box) return;
    box.textContent = text;
    box.hidden = false;
  }

  function run(button, register) {
    button.disabled = true;
    post(button.dataset.options, {}).then(function (answer) {
      if (!answer.ok) throw new Error(button.dataset.refused + " (" + answer.status + ")");
      return answer.json();
    }).then(function (options) {
      return register ? navigator.credentials.create(creationOptions(options))
                      : navigator.credentials.get(requestOptions(options));
    }).then(function (credential) {
      var fields = { credential: credentialJson(credential) };
      var name = document.getElementById("passkey-name");
      if (register && name) fields.name = name.value;
      return post(button.dataset.submit, fields);
    }).then(function (answer) {
      return answer.json().then(function (data) {
        if (!answer.ok) throw new Error(data.error || (button.dataset.refused + " (" + answer.status + ")"));
        window.location.assign(data.redirect || "/inbox");
      });
    }).catch(function (error) {
      showError(error && error.message ? error.message : String(error));
      button.disabled = false;
    });
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!(target instanceof HTMLElement)) return;
    if (target.matches("[data-passkey-register]")) run(target, true);
    if (target.matches("[data-passkey-signin]")) run(target, false);
  });
})();

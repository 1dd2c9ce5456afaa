// CloudStack API client for the browser: every request is signed here with Web Crypto, exactly
// as `hookshot api` and python3-cs sign them (HMAC-SHA1 over the sorted, Java-encoded,
// lower-cased parameters; signatureVersion 3 with a five-minute expiry). The secret key never
// leaves this tab: it is kept in sessionStorage and used only to sign.

const SESSION_KEY = "hookshot.session";

export class ApiError extends Error {
  constructor(text, status) {
    super(text);
    this.status = status;
  }
}

// java.net.URLEncoder with "+" as "%20": letters, digits and "-_.*" stay, the rest is %XX
// of its UTF-8 bytes.
export function javaEncode(value) {
  return encodeURIComponent(value).replace(/[!'()~]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());
}

// CloudStack's expires format: 2026-11-30T10:50:00+0000.
function expiresIn(seconds) {
  return new Date(Date.now() + seconds * 1000).toISOString().replace(/\.\d{3}Z$/, "+0000");
}

export function signedText(params) {
  return Object.keys(params).sort().map((k) => `${k}=${javaEncode(params[k])}`).join("&").toLowerCase();
}

async function hmacSha1Base64(secret, text) {
  if (!globalThis.crypto || !crypto.subtle)
    throw new ApiError("This page signs requests with Web Crypto, which browsers offer only on https or " +
                       "localhost. Open it through https or on this machine.", 0);
  const enc = new TextEncoder();
  const key = await crypto.subtle.importKey("raw", enc.encode(secret), { name: "HMAC", hash: "SHA-1" }, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, enc.encode(text)));
  let bin = "";
  for (const b of mac) bin += String.fromCharCode(b);
  return btoa(bin);
}

export const session = {
  load() {
    try {
      return JSON.parse(sessionStorage.getItem(SESSION_KEY) || "null");
    } catch {
      return null;
    }
  },
  save(s) { sessionStorage.setItem(SESSION_KEY, JSON.stringify(s)); },
  clear() { sessionStorage.removeItem(SESSION_KEY); },
};

// Calls `command` with `params` (undefined and null values are left out) and returns the
// inner response object; CloudStack's error text becomes an ApiError.
export async function call(command, params = {}, keys = session.load()) {
  if (!keys) throw new ApiError("Not signed in", 401);
  const p = { command, response: "json", apiKey: keys.apiKey, signatureVersion: "3", expires: expiresIn(300) };
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null) p[k] = String(v);
  const signature = await hmacSha1Base64(keys.secretKey, signedText(p));
  const body = Object.keys(p).map((k) => `${encodeURIComponent(k)}=${encodeURIComponent(p[k])}`).join("&") +
               `&signature=${encodeURIComponent(signature)}`;
  let res;
  try {
    res = await fetch("client/api", { method: "POST", body,
                                      headers: { "Content-Type": "application/x-www-form-urlencoded" } });
  } catch (e) {
    throw new ApiError(`hookshot did not answer (${e.message})`, 0);
  }
  let json;
  try {
    json = await res.json();
  } catch {
    throw new ApiError(`hookshot answered ${res.status} without a JSON body`, res.status);
  }
  const inner = json[command.toLowerCase() + "response"] || json.errorresponse || {};
  if (!res.ok || inner.errortext) throw new ApiError(inner.errortext || `HTTP ${res.status}`, res.status);
  return inner;
}

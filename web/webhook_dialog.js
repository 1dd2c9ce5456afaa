// The Create/Edit webhook dialog (with CloudStack's live test panel) and the Test dialog.

import { call } from "./api.js";
import { h, modal, duration } from "./dom.js";
import { me } from "./state.js";

// Runs executeWebhookDelivery and shows its outcome in `panel`.
async function runTest(panel, params) {
  panel.hidden = false;
  panel.replaceChildren(h("span", { class: "muted" }, "Sending a test delivery…"));
  try {
    const d = (await call("executeWebhookDelivery", params)).webhookdelivery;
    panel.replaceChildren(
      h("div", { class: "row" },
        h("strong", {}, "Test delivery"),
        h("span", { class: `tag ${d.success ? "ok" : "bad"}`, "data-test": "result" }, d.success ? "Success" : "Failed"),
        d.httpstatus ? h("span", {}, `HTTP ${d.httpstatus}`) : null,
        h("span", { class: "muted" }, duration(d.durationms)),
        d.managementservername ? h("span", { class: "muted" }, `from ${d.managementservername}`) : null),
      h("pre", { "aria-label": "Response" }, d.response || "(empty response)"));
  } catch (err) {
    panel.replaceChildren(h("div", { class: "row" }, h("strong", {}, "Test delivery"),
      h("span", { class: "tag bad", "data-test": "result" }, "Error")), h("pre", {}, err.message));
  }
}

function randomSecret() {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return btoa(String.fromCharCode(...bytes)).replace(/[+/=]/g, "");
}

// Resolves with the created or updated webhook, or undefined when cancelled.
export function webhookDialog(existing) {
  const editing = !!existing;
  return modal(editing ? `Edit ${existing.name}` : "Create webhook", (close) => {
    const error = h("div", { class: "error-box", role: "alert", hidden: true });
    const name = h("input", { id: "wh-name", required: true, value: existing?.name || "" });
    const description = h("textarea", { id: "wh-description", rows: 2 }, existing?.description || "");
    const url = h("input", { id: "wh-url", required: true, placeholder: "https://example.com/hooks/cloudstack",
                             value: existing?.payloadurl || "", class: "mono" });
    const ssl = h("input", { id: "wh-ssl", type: "checkbox", class: "switch", role: "switch",
                             checked: editing ? existing.sslverification : true });
    const sslWarn = h("div", { class: "warning" }, "Without SSL verification any certificate is trusted.");
    const sslRow = h("div", {}, h("div", { class: "field inline" }, h("label", { for: "wh-ssl" }, "SSL verification"), ssl), sslWarn);
    const secret = h("input", { id: "wh-secret", value: existing?.secretkey || "", class: "mono", autocomplete: "off" });
    const enabled = h("input", { id: "wh-enabled", type: "checkbox", class: "switch", role: "switch",
                                 checked: editing ? existing.state === "Enabled" : true });
    const testPanel = h("div", { class: "test-panel", hidden: true, "aria-live": "polite" });

    // Scope, domain and account: admins only, at creation (CloudStack's create form).
    const scopes = ["Local", "Domain", ...(me.rootAdmin ? ["Global"] : [])];
    const scope = h("div", { class: "radios", role: "radiogroup", "aria-label": "Scope" },
      scopes.map((s, i) => h("label", {}, h("input", { type: "radio", name: "wh-scope", value: s, checked: i === 0 }), s)));
    const domain = h("select", { id: "wh-domain" }, h("option", { value: "" }, "(my own)"),
      me.domains.map((d) => h("option", { value: d.id }, d.path || d.name)));
    const account = h("select", { id: "wh-account" }, h("option", { value: "" }, "(choose a domain first)"));
    const domainRow = h("div", { class: "field" }, h("label", { for: "wh-domain" }, "Domain"), domain);
    const accountRow = h("div", { class: "field" }, h("label", { for: "wh-account" }, "Account"), account);
    const scopeValue = () => scope.querySelector("input:checked")?.value || "Local";

    function sync() {
      const https = /^https:\/\//i.test(url.value.trim());
      sslRow.hidden = !https;
      sslWarn.hidden = ssl.checked;
      domainRow.hidden = !me.admin || editing || scopeValue() === "Global";
      accountRow.hidden = domainRow.hidden || scopeValue() !== "Local" || !domain.value;
    }
    domain.addEventListener("change", async () => {
      account.replaceChildren(h("option", { value: "" }, "Loading…"));
      sync();
      if (!domain.value) return;
      try {
        const list = (await call("listAccounts", { domainid: domain.value, listall: true })).account || [];
        account.replaceChildren(h("option", { value: "" }, "Choose an account"),
          list.filter((a) => a.domainid === domain.value).map((a) => h("option", { value: a.name }, a.name)));
      } catch (err) {
        account.replaceChildren(h("option", { value: "" }, err.message));
      }
    });
    scope.addEventListener("change", sync);

    // The live test panel: a test delivery a few seconds after the URL, SSL switch or secret change.
    let timer;
    const test = () => {
      clearTimeout(timer);
      if (!url.value.trim()) return;
      const https = /^https:\/\//i.test(url.value.trim());
      runTest(testPanel, { payloadurl: url.value.trim(), secretkey: secret.value || undefined,
                           sslverification: https ? ssl.checked : undefined });
    };
    const soon = () => { clearTimeout(timer); timer = setTimeout(test, 4000); };
    for (const el of [url, secret]) el.addEventListener("input", () => { sync(); soon(); });
    ssl.addEventListener("change", () => { sync(); soon(); });

    async function save() {
      error.hidden = true;
      const https = /^https:\/\//i.test(url.value.trim());
      const params = { name: name.value.trim(), description: description.value, payloadurl: url.value.trim(),
                       secretkey: secret.value, sslverification: https ? ssl.checked : false,
                       state: enabled.checked ? "Enabled" : "Disabled" };
      try {
        let hook;
        if (editing) {
          hook = (await call("updateWebhook", { id: existing.id, ...params })).webhook;
        } else {
          if (me.admin) {
            params.scope = scopeValue();
            if (params.scope !== "Global" && domain.value) {
              params.domainid = domain.value;
              if (params.scope === "Local") {
                if (!account.value) throw new Error("Choose the account that owns a Local webhook in another domain");
                params.account = account.value;
              }
            }
          }
          hook = (await call("createWebhook", params)).webhook;
        }
        clearTimeout(timer);
        close(hook);
      } catch (err) {
        error.textContent = err.message;
        error.hidden = false;
      }
    }

    sync();
    return {
      body: h("form", { id: "wh-form", onsubmit: (e) => { e.preventDefault(); save(); } }, error,
        h("div", { class: "field" }, h("label", { for: "wh-name" }, "Name"), name),
        h("div", { class: "field" }, h("label", { for: "wh-description" }, "Description"), description),
        me.admin && !editing ? h("div", { class: "field" }, h("label", {}, "Scope"), scope,
          h("span", { class: "hint" }, "Local: the account's events. Domain: the domain and its subdomains. Global: every event.")) : null,
        domainRow, accountRow,
        h("div", { class: "field" }, h("label", { for: "wh-url" }, "Payload URL"), url),
        sslRow,
        h("div", { class: "field" }, h("label", { for: "wh-secret" }, "Secret key"),
          h("div", { class: "field inline" }, secret,
            h("button", { type: "button", class: "btn small", onclick: () => { secret.value = randomSecret(); soon(); } }, "Generate")),
          h("span", { class: "hint" }, "Signs each delivery (X-CS-Signature: base64 HMAC-SHA256 of the body). Empty: unsigned.")),
        h("div", { class: "field inline" }, h("label", { for: "wh-enabled" }, "Enabled"), enabled),
        testPanel),
      footer: [
        h("button", { type: "button", class: "btn", onclick: test }, "Test now"),
        h("span", { class: "spacer" }),
        h("button", { type: "button", class: "btn", onclick: () => { clearTimeout(timer); close(undefined); } }, "Cancel"),
        h("button", { type: "submit", class: "btn primary", form: "wh-form" }, editing ? "Save" : "Create"),
      ],
    };
  });
}

// CloudStack's "Test webhook delivery" dialog: an optional payload, then the outcome.
export function testDialog(hook) {
  return modal(`Test ${hook.name}`, (close) => {
    const payload = h("textarea", { id: "test-payload", rows: 5, class: "mono", placeholder: '{ "CloudStack": "works!" }' });
    const panel = h("div", { class: "test-panel", hidden: true, "aria-live": "polite" });
    return {
      body: [h("div", { class: "field" }, h("label", { for: "test-payload" }, "Payload (optional)"), payload), panel],
      footer: [
        h("button", { type: "button", class: "btn", onclick: () => close() }, "Close"),
        h("button", { type: "button", class: "btn primary", onclick: () =>
          runTest(panel, { webhookid: hook.id, payload: payload.value.trim() || undefined }) }, "Run test"),
      ],
    };
  });
}

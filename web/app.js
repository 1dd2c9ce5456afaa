// hookshot's web page: CloudStack's Tools > Webhooks. Routes (the URL hash):
//   #/webhooks               the list          #/webhooks/ID/TAB   one webhook (details,
//   (anything, signed out)   the sign-in card                      deliveries, filters)
// Every action is a signed CloudStack API call (api.js); errors show CloudStack's error text.

import { ApiError, call, session } from "./api.js";
import { h, toast, confirmDialog, when, apiDate, duration } from "./dom.js";
import { me, report } from "./state.js";
import { webhookDialog, testDialog } from "./webhook_dialog.js";

const view = () => document.getElementById("view");

function show(...nodes) {
  view().replaceChildren(...nodes);
}

function go(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

// ---- sign-in ---------------------------------------------------------------------------------

async function loadMe(keys) {
  const res = await call("listAccounts", {}, keys);
  const acc = (res.account || [])[0];
  if (!acc) throw new ApiError("These keys belong to no account", 401);
  me.account = acc;
  me.admin = acc.roletype === "Admin" || acc.roletype === "DomainAdmin";
  me.rootAdmin = acc.roletype === "Admin" && acc.domainpath === "ROOT";
  me.domains = me.admin ? (await call("listDomains", { listall: true }, keys)).domain || [] : [];
  document.getElementById("who").hidden = false;
  document.getElementById("who-name").textContent = `${acc.name} · ${acc.domainpath}`;
  document.getElementById("who-role").textContent = acc.roletype;
}

function signIn() {
  document.getElementById("who").hidden = true;
  const error = h("div", { class: "error-box", role: "alert", hidden: true });
  const apiKey = h("input", { id: "apikey", name: "apikey", autocomplete: "username", required: true });
  const secretKey = h("input", { id: "secretkey", name: "secretkey", type: "password", autocomplete: "current-password", required: true });
  const submit = h("button", { class: "btn primary", type: "submit" }, "Sign in");
  const form = h("form", {
    onsubmit: async (e) => {
      e.preventDefault();
      submit.disabled = true;
      error.hidden = true;
      const keys = { apiKey: apiKey.value.trim(), secretKey: secretKey.value.trim() };
      try {
        await loadMe(keys);
        session.save(keys);
        go("#/webhooks");
        route();
      } catch (err) {
        error.textContent = err.message;
        error.hidden = false;
      } finally {
        submit.disabled = false;
      }
    },
  },
  error,
  h("div", { class: "field" }, h("label", { for: "apikey" }, "API key"), apiKey),
  h("div", { class: "field" }, h("label", { for: "secretkey" }, "Secret key"), secretKey,
    h("span", { class: "hint" }, "Requests are signed in this browser tab; the secret key is never sent and is " +
      "forgotten when the tab closes.")),
  submit);
  show(h("section", { class: "card signin" }, h("header", {}, h("h1", {}, "Sign in to Webhooks")),
         h("div", { class: "body" }, h("p", { class: "muted" }, "Use the API key and secret key of a CloudStack account."), form)));
  apiKey.focus();
}

function signOut() {
  session.clear();
  me.account = null;
  go("#/");
}

// ---- the list --------------------------------------------------------------------------------

// Paging for a list whose state `s` has page and pagesize: "page N of M", previous, next and
// a page-size chooser; each change calls `load`.
function pagerControls(s, total, sizes, load, prefix) {
  const pages = Math.max(1, Math.ceil(total / s.pagesize));
  return [
    h("span", {}, `${prefix}Page ${s.page} of ${pages}`),
    h("button", { class: "btn small", type: "button", disabled: s.page <= 1, "aria-label": "Previous page",
                  onclick: () => { s.page--; load(); } }, "‹ Prev"),
    h("button", { class: "btn small", type: "button", disabled: s.page >= pages, "aria-label": "Next page",
                  onclick: () => { s.page++; load(); } }, "Next ›"),
    h("select", { "aria-label": "Rows per page", onchange: (e) => { s.pagesize = +e.target.value; s.page = 1; load(); } },
      sizes.map((n) => h("option", { value: n, selected: n === s.pagesize }, `${n} / page`))),
  ];
}

// Runs an API action; an error is shown to the user (CloudStack's text), never thrown on.
async function attempt(action) {
  try {
    await action();
  } catch (err) {
    report(err);
  }
}

const listState = { keyword: "", state: "", scope: "", domainid: "", account: "", page: 1, pagesize: 20 };

function stateTag(state) {
  return h("span", { class: `tag ${String(state).toLowerCase()}` }, state);
}

async function listView() {
  const s = listState;
  const tbody = h("tbody");
  const count = h("span", { class: "count" });
  const pager = h("div", { class: "pager" });
  const cols = ["Name", "Payload URL", "State", ...(me.admin ? ["Account", "Domain", "Scope"] : []), "Created"];

  async function load() {
    try {
      const res = await call("listWebhooks", {
        keyword: s.keyword || undefined, state: s.state || undefined, scope: s.scope || undefined,
        domainid: s.domainid || undefined, account: s.account || undefined,
        listall: me.admin ? true : undefined, isrecursive: s.domainid ? true : undefined,
        page: s.page, pagesize: s.pagesize,
      });
      const rows = res.webhook || [];
      const total = res.count || 0;
      count.textContent = `${total} webhook${total === 1 ? "" : "s"}`;
      tbody.replaceChildren(...(rows.length ? rows.map((w) => h("tr", {},
        h("td", {}, h("a", { href: `#/webhooks/${w.id}/details` }, w.name)),
        h("td", { class: "url mono", title: w.payloadurl }, w.payloadurl),
        h("td", {}, stateTag(w.state)),
        me.admin ? [h("td", {}, w.account), h("td", {}, w.domainpath || w.domain), h("td", {}, w.scope)] : [],
        h("td", { class: "hide-narrow date" }, when(w.created)))) :
        [h("tr", {}, h("td", { colspan: cols.length, class: "empty" },
          s.keyword || s.state || s.scope || s.domainid || s.account ? "No webhook matches these filters." :
            "No webhooks yet. Create one to receive CloudStack's events."))]));
      pager.replaceChildren(...pagerControls(s, total, [10, 20, 50, 100], load, ""));
    } catch (err) {
      report(err);
    }
  }

  const filter = (key) => (e) => { s[key] = e.target.value.trim(); s.page = 1; load(); };
  let typing;
  const search = h("input", { type: "search", placeholder: "Search by name", "aria-label": "Search webhooks by name",
                              value: s.keyword, oninput: (e) => { clearTimeout(typing); typing = setTimeout(() => filter("keyword")(e), 250); } });
  const toolbar = h("div", { class: "toolbar" }, search,
    h("select", { "aria-label": "State", onchange: filter("state") },
      [["", "Any state"], ["Enabled", "Enabled"], ["Disabled", "Disabled"]].map(([v, t]) => h("option", { value: v, selected: s.state === v }, t))),
    me.admin ? [
      h("select", { "aria-label": "Scope", onchange: filter("scope") },
        [["", "Any scope"], ["Local", "Local"], ["Domain", "Domain"], ...(me.rootAdmin ? [["Global", "Global"]] : [])]
          .map(([v, t]) => h("option", { value: v, selected: s.scope === v }, t))),
      h("select", { "aria-label": "Domain", onchange: filter("domainid") },
        h("option", { value: "" }, "Any domain"),
        me.domains.map((d) => h("option", { value: d.id, selected: s.domainid === d.id }, d.path || d.name))),
      h("input", { type: "search", placeholder: "Account", "aria-label": "Account", value: s.account, onchange: filter("account") }),
    ] : null,
    h("span", { class: "spacer" }),
    h("button", { class: "btn primary", type: "button", onclick: async () => {
      const made = await webhookDialog(null);
      if (made) go(`#/webhooks/${made.id}/details`);
    } }, "+ Create webhook"));

  show(h("section", { class: "card" },
    h("header", {}, h("h1", {}, "Webhooks"), count),
    toolbar,
    h("div", { class: "table-wrap" },
      h("table", {}, h("thead", {}, h("tr", {}, cols.map((c) => h("th", { scope: "col", class: c === "Created" ? "hide-narrow" : null }, c)))), tbody)),
    pager));
  await load();
}

// ---- one webhook -----------------------------------------------------------------------------

async function detailView(id, tab) {
  let hook;
  try {
    const res = await call("listWebhooks", { id, listall: me.admin ? true : undefined });
    hook = (res.webhook || [])[0];
  } catch (err) {
    return report(err);
  }
  if (!hook) {
    show(h("section", { class: "card" }, h("div", { class: "empty" }, "This webhook does not exist (any more). ",
                                           h("a", { href: "#/webhooks" }, "Back to the list"))));
    return;
  }
  const enabled = hook.state === "Enabled";
  const actions = h("div", { class: "actions" },
    h("button", { class: "btn", type: "button", onclick: () => testDialog(hook) }, "Test"),
    h("button", { class: "btn", type: "button", onclick: async () => { if (await webhookDialog(hook)) route(); } }, "Edit"),
    h("button", { class: "btn", type: "button", onclick: () => attempt(async () => {
      await call("updateWebhook", { id: hook.id, state: enabled ? "Disabled" : "Enabled" });
      toast(`${hook.name} ${enabled ? "disabled" : "enabled"}`);
      route();
    }) }, enabled ? "Disable" : "Enable"),
    h("button", { class: "btn danger", type: "button", onclick: async () => {
      if (!await confirmDialog("Delete webhook", `Delete ${hook.name}? Its pending deliveries, delivery log and filters go with it.`)) return;
      await attempt(async () => {
        await call("deleteWebhook", { id: hook.id });
        toast(`${hook.name} deleted`);
        go("#/webhooks");
      });
    } }, "Delete"));

  const tabs = [["details", "Details"], ["deliveries", "Recent deliveries"], ["filters", "Filters"]];
  const panel = h("div", { class: "panel", role: "tabpanel" });
  const tabBar = h("div", { class: "tabs", role: "tablist" }, tabs.map(([key, label]) =>
    h("button", { type: "button", role: "tab", "aria-selected": String(key === tab),
                  onclick: () => go(`#/webhooks/${hook.id}/${key}`) }, label)));
  show(h("a", { class: "back", href: "#/webhooks" }, "‹ All webhooks"),
       h("div", { class: "detail-head" }, h("h1", {}, hook.name), stateTag(hook.state),
         h("span", { class: "tag" }, hook.scope), actions),
       h("section", { class: "card" }, tabBar, panel));
  if (tab === "deliveries") return deliveriesTab(hook, panel);
  if (tab === "filters") return filtersTab(hook, panel);
  detailsTab(hook, panel);
}

function detailsTab(hook, panel) {
  const secret = h("span", { class: "secret" }, hook.secretkey ? "••••••••" : "(none: deliveries are not signed)");
  const facts = [
    ["Name", hook.name], ["ID", h("span", { class: "mono" }, hook.id)], ["Description", hook.description || "—"],
    ["Scope", hook.scope], ["Payload URL", h("span", { class: "mono" }, hook.payloadurl)],
    ["SSL verification", hook.sslverification ? "Yes" : "No"],
    ["Secret key", [secret, hook.secretkey ? h("button", { class: "btn link", type: "button", onclick: (e) => {
      secret.textContent = hook.secretkey;
      e.target.remove();
    } }, "Show") : null]],
    ["State", stateTag(hook.state)], ["Account", hook.account], ["Domain", hook.domainpath || hook.domain],
    ["Domain ID", h("span", { class: "mono" }, hook.domainid)], ["Created", when(hook.created)],
  ];
  panel.replaceChildren(h("div", { class: "body" },
    h("dl", { class: "facts" }, facts.map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]))));
}

function deliveriesTab(hook, panel) {
  const s = { period: "day", from: "", to: "", keyword: "", eventtype: "", page: 1, pagesize: 20 };
  const selected = new Set();
  const tbody = h("tbody");
  const pager = h("div", { class: "pager" });
  const deleteSelected = h("button", { class: "btn danger", type: "button", disabled: true, onclick: async () => {
    if (!await confirmDialog("Delete deliveries", `Delete ${selected.size} selected deliveries?`)) return;
    await attempt(async () => {
      for (const id of selected) await call("deleteWebhookDelivery", { id });
      toast(`${selected.size} deliveries deleted`);
      selected.clear();
      load();
    });
  } }, "Delete selected");
  const clearAll = h("button", { class: "btn danger", type: "button", onclick: async () => {
    if (!await confirmDialog("Clear deliveries", `Delete every delivery record of ${hook.name}?`, "Clear")) return;
    await attempt(async () => {
      await call("deleteWebhookDelivery", { webhookid: hook.id });
      toast("Deliveries cleared");
      load();
    });
  } }, "Clear deliveries");

  function range() {
    if (s.period === "day") return { startdate: apiDate(new Date(Date.now() - 24 * 3600 * 1000)) };
    if (s.period === "custom") return {
      startdate: s.from ? apiDate(new Date(s.from)) : undefined, enddate: s.to ? apiDate(new Date(s.to)) : undefined };
    return {};
  }

  async function load() {
    deleteSelected.disabled = true;
    selected.clear();
    clearAll.hidden = !(s.period === "all" && !s.keyword && !s.eventtype);  // as CloudStack's UI offers it
    try {
      const res = await call("listWebhookDeliveries", { webhookid: hook.id, keyword: s.keyword || undefined,
        eventtype: s.eventtype || undefined, page: s.page, pagesize: s.pagesize, ...range() });
      const rows = res.webhookdelivery || [];
      const total = res.count || 0;
      tbody.replaceChildren(...(rows.length ? rows.map((d) => h("tr", {},
        h("td", {}, h("input", { type: "checkbox", "aria-label": `Select delivery ${d.id}`, onchange: (e) => {
          if (e.target.checked) selected.add(d.id); else selected.delete(d.id);
          deleteSelected.disabled = selected.size === 0;
        } })),
        h("td", { class: "payload mono", title: d.payload }, d.payload),
        h("td", {}, d.eventtype),
        me.admin ? h("td", { class: "hide-narrow" }, d.managementservername) : null,
        h("td", {}, h("span", { class: `tag ${d.success ? "ok" : "bad"}` }, d.success ? "Success" : "Failed"),
          d.httpstatus ? h("span", { class: "muted" }, ` ${d.httpstatus}`) : null),
        h("td", { class: "response mono", title: d.response }, d.response),
        h("td", { class: "hide-narrow date" }, when(d.startdate)),
        h("td", {}, duration(d.durationms)),
        h("td", { class: "actions" },
          h("button", { class: "btn small", type: "button", onclick: () => attempt(async () => {
            const r = (await call("executeWebhookDelivery", { id: d.id })).webhookdelivery;
            toast(r.success ? "Redelivered" : `Redelivery failed: ${r.response}`, r.success ? "info" : "error");
            load();
          }) }, "Redeliver"),
          h("button", { class: "btn small danger", type: "button", onclick: () => attempt(async () => {
            await call("deleteWebhookDelivery", { id: d.id });
            load();
          }) }, "Delete")))) :
        [h("tr", {}, h("td", { colspan: 9, class: "empty" }, "No deliveries in this period.")) ]));
      pager.replaceChildren(...pagerControls(s, total, [20, 50, 100, 200], load, `${total} deliveries · `));
    } catch (err) {
      report(err);
    }
  }

  const from = h("input", { type: "datetime-local", "aria-label": "From", onchange: (e) => { s.from = e.target.value; load(); } });
  const to = h("input", { type: "datetime-local", "aria-label": "To", onchange: (e) => { s.to = e.target.value; load(); } });
  const custom = h("span", { hidden: true }, from, " – ", to);
  let typing;
  const later = (key) => (e) => { clearTimeout(typing); typing = setTimeout(() => { s[key] = e.target.value.trim(); s.page = 1; load(); }, 250); };
  panel.replaceChildren(
    h("div", { class: "toolbar" },
      h("select", { "aria-label": "Period", onchange: (e) => { s.period = e.target.value; custom.hidden = s.period !== "custom"; s.page = 1; load(); } },
        h("option", { value: "day" }, "Last 24 hours"), h("option", { value: "all" }, "All"), h("option", { value: "custom" }, "Custom range")),
      custom,
      h("input", { type: "search", placeholder: "Search payload", "aria-label": "Search payload", oninput: later("keyword") }),
      h("input", { type: "search", placeholder: "Event type", "aria-label": "Event type", oninput: later("eventtype") }),
      h("span", { class: "spacer" }),
      h("button", { class: "btn", type: "button", onclick: load }, "Refresh"), deleteSelected, clearAll),
    h("div", { class: "table-wrap" }, h("table", {}, h("thead", {}, h("tr", {},
      h("th", { scope: "col" }, h("span", { class: "muted" }, "")), h("th", { scope: "col" }, "Payload"),
      h("th", { scope: "col" }, "Event"), me.admin ? h("th", { scope: "col", class: "hide-narrow" }, "Server") : null,
      h("th", { scope: "col" }, "Success"), h("th", { scope: "col" }, "Response"),
      h("th", { scope: "col", class: "hide-narrow" }, "Start"), h("th", { scope: "col" }, "Duration"), h("th", { scope: "col" }, ""))),
      tbody)),
    pager);
  load();
}

function filtersTab(hook, panel) {
  const tbody = h("tbody");
  const value = h("input", { id: "filter-value", required: true, placeholder: "e.g. VM.CREATE or VM." });
  const matchtype = h("select", { id: "filter-matchtype" },
    ["Exact", "Prefix", "Suffix", "Contains"].map((m) => h("option", { value: m.toLowerCase() }, m)));
  const modes = h("div", { class: "radios", role: "radiogroup", "aria-label": "Mode" },
    ["Include", "Exclude"].map((m, i) => h("label", {}, h("input", { type: "radio", name: "filter-mode", value: m.toLowerCase(), checked: i === 0 }), m)));

  async function load() {
    try {
      const rows = (await call("listWebhookFilters", { webhookid: hook.id })).webhookfilter || [];
      tbody.replaceChildren(...(rows.length ? rows.map((f) => h("tr", {},
        h("td", { class: "mono" }, f.value), h("td", {}, f.mode), h("td", {}, f.matchtype), h("td", {}, f.type),
        h("td", { class: "hide-narrow date" }, when(f.created)),
        h("td", { class: "actions" }, h("button", { class: "btn small danger", type: "button", onclick: () => attempt(async () => {
          await call("deleteWebhookFilter", { id: f.id });
          load();
        }) }, "Delete")))) :
        [h("tr", {}, h("td", { colspan: 6, class: "empty" }, "No filters: every event in scope is delivered."))]));
    } catch (err) {
      report(err);
    }
  }

  const form = h("form", { class: "toolbar", onsubmit: async (e) => {
    e.preventDefault();
    await attempt(async () => {
      await call("addWebhookFilter", { webhookid: hook.id, mode: modes.querySelector("input:checked").value,
                                       matchtype: matchtype.value, value: value.value.trim() });
      value.value = "";
      toast("Filter added");
      load();
    });
  } }, modes, h("label", { for: "filter-matchtype" }, "Match"), matchtype,
    h("label", { for: "filter-value" }, "Event type"), value,
    h("button", { class: "btn primary", type: "submit" }, "Add filter"));
  panel.replaceChildren(form,
    h("div", { class: "table-wrap" }, h("table", {}, h("thead", {}, h("tr", {}, ["Value", "Mode", "Match type", "Type"].map((c) => h("th", { scope: "col" }, c)),
      h("th", { scope: "col", class: "hide-narrow" }, "Created"), h("th", {}))), tbody)));
  load();
}

// ---- routing ---------------------------------------------------------------------------------

async function route() {
  const keys = session.load();
  if (!keys) return signIn();
  if (!me.account) {
    try {
      await loadMe(keys);
    } catch (err) {
      session.clear();
      signIn();
      return report(err);
    }
  }
  const parts = location.hash.replace(/^#\/?/, "").split("/");
  if (parts[0] === "webhooks" && parts[1]) await detailView(decodeURIComponent(parts[1]), parts[2] || "details");
  else await listView();
  view().focus();
}

document.getElementById("sign-out").addEventListener("click", signOut);
window.addEventListener("hookshot:signout", signOut);
window.addEventListener("hashchange", route);
route();

// Small DOM helpers: elements are built with textContent only, so API data is never parsed as
// HTML.

// h("button", {class: "btn", onclick: fn}, "Text", child, ...). Attributes whose value is
// false, null or undefined are left out; `true` sets an empty attribute.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === false || v === null || v === undefined) continue;
    if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
    else if (k === "value") el.value = v;
    else if (k === "checked") el.checked = !!v;
    else el.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export function toast(message, kind = "info") {
  const box = document.getElementById("toasts");
  const t = h("div", { class: `toast ${kind}`, role: kind === "error" ? "alert" : null }, message);
  box.append(t);
  setTimeout(() => t.remove(), kind === "error" ? 9000 : 4000);
}

// A modal <dialog> with a title, a body and footer buttons; resolves with the value a button
// passes to close(), or undefined when dismissed. `build(close)` returns the body.
export function modal(title, build) {
  return new Promise((resolve) => {
    let result;
    const dlg = h("dialog", { "aria-label": title });
    const close = (value) => {
      result = value;
      dlg.close();
    };
    const parts = build(close);
    dlg.append(h("header", {}, h("h2", {}, title)), h("div", { class: "body" }, parts.body),
               h("footer", {}, parts.footer));
    dlg.addEventListener("close", () => {
      dlg.remove();
      resolve(result);
    });
    document.body.append(dlg);
    dlg.showModal();
    const first = dlg.querySelector("input:not([type=radio]), textarea, select");
    if (first) first.focus();
  });
}

export function confirmDialog(title, text, action = "Delete") {
  return modal(title, (close) => ({
    body: h("p", {}, text),
    footer: [h("button", { type: "button", class: "btn", onclick: () => close(false) }, "Cancel"),
             h("button", { type: "button", class: "btn primary", onclick: () => close(true) }, action)],
  }));
}

// CloudStack dates ("2026-11-30T10:50:00+0000") as the reader's local time, compactly; the
// full date is the element's title.
export function when(text) {
  if (!text) return "";
  const d = new Date(text.replace(/([+-]\d{2})(\d{2})$/, "$1:$2"));
  if (isNaN(d)) return text;
  const sameYear = d.getFullYear() === new Date().getFullYear();
  const label = d.toLocaleString(undefined, { year: sameYear ? undefined : "numeric", month: "short", day: "numeric",
                                              hour: "2-digit", minute: "2-digit", second: "2-digit" });
  const el = document.createElement("time");
  el.dateTime = d.toISOString();
  el.title = d.toString();
  el.textContent = label;
  return el;
}

// A Date as CloudStack's date parameter, in UTC: "yyyy-MM-dd HH:mm:ss".
export function apiDate(d) {
  return d.toISOString().slice(0, 19).replace("T", " ");
}

export function duration(ms) {
  if (ms === undefined || ms === null) return "";
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(ms < 10000 ? 2 : 1)} s`;
}

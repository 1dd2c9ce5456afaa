// End-to-end tests of the web page: Debian's chromium, driven by playwright-core, against a real
// `hookshot serve` and a real receiver on loopback. Screenshots of the main views go to
// $SCREENSHOT_DIR (default: build/screenshots); `make screenshots` copies them to
// docs/screenshots/.
//
//   HOOKSHOT_BIN=build/hookshot node --test tests/web/e2e.test.mjs

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHmac } from "node:crypto";
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
const HOOKSHOT = resolve(process.env.HOOKSHOT_BIN || join(here, "../../build/hookshot"));
const SHOTS = resolve(process.env.SCREENSHOT_DIR || join(here, "../../build/screenshots"));
const ROOT = "10000000-0000-0000-0000-000000000000";
const CHILD = "20000000-0000-0000-0000-000000000000";
const ADMIN = "a0000000-0000-0000-0000-000000000001";
const ALICE = "a0000000-0000-0000-0000-000000000003";
const SECRET = "e2e-webhook-secret";

let tmp, hookshot, base, receiver, browser;
const received = [];

function freePort() {
  return new Promise((ok) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

async function waitFor(predicate, what, timeoutMs = 15000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await predicate();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function publish(type, account = ADMIN) {
  const res = await fetch(`${base}/v1/events`, {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ event: type, account, status: "Completed", entity: "VirtualMachine", description: `e2e ${type}` }),
  });
  assert.equal(res.status, 202, await res.text());
}

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), "hookshot-web-"));
  mkdirSync(SHOTS, { recursive: true });
  receiver = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      received.push({ headers: req.headers, body, path: req.url });
      res.writeHead(200, { "Content-Type": "text/plain" }).end("thanks from the e2e receiver");
    });
  });
  await new Promise((ok) => receiver.listen(0, "127.0.0.1", ok));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  writeFileSync(join(tmp, "hookshot.json"), JSON.stringify({
    listen: `127.0.0.1:${port}`, data_dir: join(tmp, "data"), durability: "os",
    management_server: { id: "ms-e2e", name: "ms-e2e" },
    settings: { "webhook.delivery.allow.http": true, "webhook.delivery.blocklist": "",
                "webhook.delivery.block.local.addresses": false, "webhook.delivery.tries": 1,
                "webhook.delivery.timeout": 5 },
    domains: [{ id: ROOT, name: "ROOT" }, { id: CHILD, name: "engineering", parent: ROOT }],
    accounts: [
      { id: ADMIN, name: "admin", domainid: ROOT, role: "Admin", apikey: "admin-api-key", secretkey: "admin-secret-key" },
      { id: ALICE, name: "alice", domainid: CHILD, role: "User", apikey: "alice-api-key", secretkey: "alice-secret-key" },
    ],
  }));
  hookshot = spawn(HOOKSHOT, ["serve", "--config", join(tmp, "hookshot.json")], { stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  hookshot.stdout.on("data", (d) => (log += d));
  hookshot.stderr.on("data", (d) => (log += d));
  hookshot.on("exit", (code) => { if (code) console.error(`hookshot exited ${code}: ${log}`); });
  await waitFor(async () => {
    try {
      return (await fetch(`${base}/healthz`)).ok;
    } catch {
      return false;
    }
  }, "hookshot to answer /healthz");
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
});

after(async () => {
  await browser?.close();
  hookshot?.kill("SIGTERM");
  receiver?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

async function signedIn(apiKey, secretKey) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const errors = [];
  page.on("pageerror", (e) => errors.push(e));
  page.on("console", (m) => { // API refusals are answered with 4xx, which the browser logs; the page shows them itself.
    if (m.type() === "error" && !/^Failed to load resource: the server responded with a status of 4/.test(m.text()))
      errors.push(new Error(m.text())); });
  await page.goto(`${base}/`);
  await page.getByLabel("API key").fill(apiKey);
  await page.getByLabel("Secret key").fill(secretKey);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Webhooks" }).waitFor();
  return { page, errors };
}

test("a root admin manages a webhook end to end", async () => {
  const signin = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await signin.goto(`${base}/`);
  await signin.getByLabel("API key").fill("admin-api-key");
  await signin.getByLabel("Secret key").fill("wrong-secret");
  await signin.getByRole("button", { name: "Sign in" }).click();
  await signin.getByRole("alert").filter({ hasText: "unable to verify user credentials" }).waitFor();
  await signin.getByLabel("Secret key").fill("");
  await signin.screenshot({ path: join(SHOTS, "signin.png") });
  await signin.close();

  const { page, errors } = await signedIn("admin-api-key", "admin-secret-key");
  await page.getByText("No webhooks yet").waitFor();
  for (const col of ["Account", "Domain", "Scope"]) await page.getByRole("columnheader", { name: col }).waitFor();

  // Create, with the live test panel.
  const url = `http://127.0.0.1:${receiver.address().port}/hook`;
  await page.getByRole("button", { name: "+ Create webhook" }).click();
  const dialog = page.getByRole("dialog", { name: "Create webhook" });
  await dialog.getByLabel("Name").fill("orders");
  await dialog.getByLabel("Description").fill("every event, to the e2e receiver");
  await dialog.getByRole("radio", { name: "Global" }).check();
  await dialog.getByLabel("Payload URL").fill(url);
  assert.equal(await dialog.getByLabel("SSL verification").isVisible(), false);  // http: no switch
  await dialog.getByLabel("Secret key", { exact: true }).fill(SECRET);
  await dialog.getByRole("button", { name: "Test now" }).click();
  await dialog.locator("[data-test=result]").filter({ hasText: "Success" }).waitFor();
  await dialog.getByText("thanks from the e2e receiver").waitFor();
  await dialog.getByText("HTTP 200").waitFor();
  await page.screenshot({ path: join(SHOTS, "create.png") });
  const test = received.find((r) => r.headers["x-cs-event"] === "TEST.WEBHOOK");
  assert.ok(test, "the receiver got the test delivery");
  assert.equal(test.headers["x-cs-signature"], createHmac("sha256", SECRET).update(test.body).digest("base64"));
  await dialog.getByRole("button", { name: "Create" }).click();
  await page.getByRole("heading", { name: "orders" }).waitFor();
  await page.getByText(url).waitFor();

  // An event reaches the receiver and shows under Recent deliveries; redeliver it.
  await publish("VM.CREATE");
  await waitFor(() => received.some((r) => r.headers["x-cs-event"] === "VM.CREATE"), "the VM.CREATE delivery");
  await page.getByRole("tab", { name: "Recent deliveries" }).click();
  const row = page.getByRole("row").filter({ hasText: "VM.CREATE" });
  await row.getByText("Success").waitFor();
  await page.screenshot({ path: join(SHOTS, "deliveries.png") });
  const before = received.length;
  await row.first().getByRole("button", { name: "Redeliver" }).click();
  await page.getByText("Redelivered").waitFor();
  await waitFor(() => received.length === before + 1, "the redelivery");
  assert.equal(received.at(-1).headers["x-cs-event"], "VM.CREATE");
  await waitFor(async () => (await page.getByRole("row").filter({ hasText: "VM.CREATE" }).count()) === 2, "two records");

  // A filter that excludes VM.* events.
  await page.getByRole("tab", { name: "Filters" }).click();
  await page.getByText("No filters").waitFor();
  await page.getByRole("radio", { name: "Exclude" }).check();
  await page.getByLabel("Match").selectOption("prefix");
  await page.getByLabel("Event type").fill("VM.");
  await page.getByRole("button", { name: "Add filter" }).click();
  await page.getByRole("row").filter({ hasText: "VM." }).filter({ hasText: "Exclude" }).waitFor();
  await page.screenshot({ path: join(SHOTS, "filters.png") });
  await publish("VM.STOP");
  await publish("NETWORK.CREATE");
  await waitFor(() => received.some((r) => r.headers["x-cs-event"] === "NETWORK.CREATE"), "NETWORK.CREATE");
  assert.ok(!received.some((r) => r.headers["x-cs-event"] === "VM.STOP"), "VM.STOP was filtered out");

  // API errors show CloudStack's text: a second webhook with the same URL.
  await page.getByRole("tab", { name: "Details" }).click();
  await page.screenshot({ path: join(SHOTS, "details.png") });
  await page.getByRole("link", { name: "‹ All webhooks" }).click();
  await page.getByRole("button", { name: "+ Create webhook" }).click();
  const again = page.getByRole("dialog", { name: "Create webhook" });
  await again.getByLabel("Name").fill("duplicate");
  await again.getByLabel("Payload URL").fill(url);
  await again.getByRole("button", { name: "Create" }).click();
  await again.getByRole("alert").filter({ hasText: `Payload URL: ${url} is already in use by another webhook` }).waitFor();
  await again.getByRole("button", { name: "Cancel" }).click();

  // Disable, seen in the list; then delete.
  await page.getByRole("link", { name: "orders" }).click();
  await page.getByRole("button", { name: "Disable" }).click();
  await page.getByText("orders disabled").waitFor();
  await page.getByRole("button", { name: "Enable" }).waitFor();
  await page.getByRole("link", { name: "‹ All webhooks" }).click();
  await page.getByRole("row").filter({ hasText: "orders" }).getByText("Disabled").waitFor();
  await page.screenshot({ path: join(SHOTS, "list.png") });
  await page.getByRole("link", { name: "orders" }).click();
  await page.getByRole("button", { name: "Delete" }).click();
  await page.getByRole("dialog", { name: "Delete webhook" }).getByRole("button", { name: "Delete" }).click();
  await page.getByText("No webhooks yet").waitFor();
  assert.deepEqual(errors, []);
  await page.close();
});

test("a user sees only what a user may do", async () => {
  const { page, errors } = await signedIn("alice-api-key", "alice-secret-key");
  await page.getByText("No webhooks yet").waitFor();
  assert.equal(await page.getByRole("columnheader", { name: "Scope" }).count(), 0);
  await page.getByRole("button", { name: "+ Create webhook" }).click();
  const dialog = page.getByRole("dialog", { name: "Create webhook" });
  assert.equal(await dialog.getByRole("radio", { name: "Global" }).count(), 0);
  await dialog.getByLabel("Name").fill("mine");
  await dialog.getByLabel("Payload URL").fill(`http://127.0.0.1:${receiver.address().port}/alice`);
  await dialog.getByRole("button", { name: "Create" }).click();
  await page.getByRole("heading", { name: "mine" }).waitFor();
  await page.getByText("Local", { exact: true }).first().waitFor();
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByRole("button", { name: "Sign in" }).waitFor();
  assert.equal(await page.evaluate(() => sessionStorage.length), 0);  // the keys are gone
  assert.deepEqual(errors, []);
  await page.close();
});

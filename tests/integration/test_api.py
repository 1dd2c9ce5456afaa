"""CloudStack's API through Debian's python3-cs client: authentication, envelopes, errors and the
access matrix of the list commands."""

import json
import subprocess
import unittest
from datetime import datetime, timedelta, timezone

from cs import CloudStack, CloudStackApiException

from harness import (ADMIN, ALICE, BOB, CHILD, CHILD_ADMIN, GRANDCHILD, HOOKSHOT, ROOT, SIBLING,
                     Hookshot, Receiver, event, wait_for, webhook)

KEYS = {"admin": ADMIN, "child-admin": CHILD_ADMIN, "alice": ALICE, "bob": BOB}


def with_keys(config):
    for a in config["accounts"]:
        a["apikey"] = a["name"] + "-api-key"
        a["secretkey"] = a["name"] + "-secret-key"


class ApiTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.rx = Receiver()
        hs = Hookshot([webhook("g", cls.rx.url + "/g"),
                       webhook("d", cls.rx.url + "/d", account="child-admin", scope="Domain"),
                       webhook("a", cls.rx.url + "/a", account="alice", scope="Local"),
                       webhook("b", cls.rx.url + "/b", account="bob", scope="Local")])
        with_keys(hs.config)
        hs.write_config()
        cls.hs = hs.start()
        cls.endpoint = hs.base + "/client/api"
        [cls.event_id] = hs.post_events([event(account=ALICE)])
        wait_for(lambda: all(w["pending"] == 0 and w["webhookdelivery"]
                             for n, w in hs.deliveries().items() if n in "gda"), what="3 records")

    @classmethod
    def tearDownClass(cls):
        cls.hs.close()
        cls.rx.close()

    def client(self, name, method="get", secret=None):
        return CloudStack(endpoint=self.endpoint, key=name + "-api-key",
                          secret=secret or name + "-secret-key", method=method)

    def names(self, who, **params):
        answer = self.client(who).listWebhooks(**params)
        return sorted(w["name"] for w in answer.get("webhook", []))

    def api_error(self, fn, **params):
        with self.assertRaises(CloudStackApiException) as e:
            fn(**params)
        return e.exception.response.status_code, e.exception.error

    def test_list_webhooks_access_matrix(self):
        self.assertEqual(self.names("admin", listall=True), ["a", "b", "d", "g"])
        self.assertEqual(self.names("admin"), ["g"])  # CloudStack: own account unless listall
        self.assertEqual(self.names("child-admin", listall=True), ["a", "d"])  # subdomain included
        self.assertEqual(self.names("alice", listall=True), ["a"])
        self.assertEqual(self.names("bob", listall=True), ["b"])
        self.assertEqual(self.names("admin", domainid=CHILD, isrecursive=True), ["a", "d"])
        self.assertEqual(self.names("admin", account="alice", domainid=GRANDCHILD), ["a"])
        self.assertEqual(self.names("admin", listall=True, scope="Domain"), ["d"])
        self.assertEqual(self.names("admin", listall=True, keyword="G"), ["g"])
        status, err = self.api_error(self.client("child-admin").listWebhooks, account="bob", domainid=SIBLING)
        self.assertEqual((status, err["errorcode"], err["cserrorcode"]), (531, 531, 4365))

    def test_webhook_fields_are_cloudstacks(self):
        answer = self.client("admin").listWebhooks(listall=True, name="a")
        self.assertEqual(answer["count"], 1)
        w = answer["webhook"][0]
        for field in ["id", "name", "state", "domainid", "domain", "account", "payloadurl",
                      "sslverification", "scope", "created"]:
            self.assertIn(field, w)
        self.assertEqual((w["account"], w["scope"], w["state"], w["domainid"]), ("alice", "Local", "Enabled", GRANDCHILD))
        self.assertRegex(w["created"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}$")

    def test_list_errors(self):
        c = self.client("alice")
        self.assertEqual(self.api_error(c.listWebhooks, scope="Global")[1]["errortext"],
                         "Scope Global can not be specified")
        self.assertEqual(self.api_error(c.listWebhooks, state="Sleeping")[1]["errortext"],
                         "Invalid state specified")
        self.assertEqual(self.api_error(c.listWebhooks, scope="Everywhere")[1]["errortext"],
                         "Invalid scope specified")
        status, err = self.api_error(c.listWebhooks, page="zero")
        self.assertEqual((status, err["errorcode"], err["cserrorcode"]), (431, 431, 4350))

    def test_empty_list_is_an_empty_object(self):
        self.assertEqual(self.client("bob").listWebhooks(name="nothing-here"), {})

    def test_paging(self):
        c = self.client("admin")
        first = c.listWebhooks(listall=True, page=1, pagesize=3)
        second = c.listWebhooks(listall=True, page=2, pagesize=3)
        self.assertEqual((first["count"], len(first["webhook"])), (4, 3))
        self.assertEqual((second["count"], len(second["webhook"])), (4, 1))

    def test_deliveries_access_and_filters(self):
        def count(who, **params):
            return self.client(who).listWebhookDeliveries(**params).get("count", 0)

        self.assertEqual(count("admin"), 3)
        self.assertEqual(count("child-admin"), 2)  # d and a: subdomains included (CloudStack: not)
        self.assertEqual(count("alice"), 1)
        self.assertEqual(count("bob"), 0)
        self.assertEqual(count("admin", eventtype="VM.CREATE"), 3)
        self.assertEqual(count("admin", eventtype="VM.DESTROY"), 0)
        self.assertEqual(count("admin", keyword=ALICE), 3)
        hooks = {w["name"]: w["id"] for w in self.client("admin").listWebhooks(listall=True)["webhook"]}
        d = self.client("admin").listWebhookDeliveries(webhookid=hooks["g"])["webhookdelivery"][0]
        self.assertEqual((d["eventid"], d["webhookname"], d["success"]), (self.event_id, "g", True))
        self.assertIn("X-CS-Event: VM.CREATE", d["headers"])
        self.assertEqual(count("admin", id=d["id"]), 1)
        self.assertEqual(self.api_error(self.client("alice").listWebhookDeliveries, webhookid=hooks["g"])[0], 531)
        self.assertEqual(self.api_error(self.client("admin").listWebhookDeliveries,
                                        webhookid="00000000-0000-0000-0000-000000000000")[1]["errortext"],
                         "Invalid Webhook specified")
        self.assertEqual(self.api_error(self.client("admin").listWebhookDeliveries,
                                        startdate="2030-01-02", enddate="2030-01-01")[1]["errortext"],
                         "Invalid enddate specified")
        self.assertEqual(self.api_error(self.client("alice").listWebhookDeliveries,
                                        managementserverid="ms-test-id")[0], 531)
        self.assertEqual(count("admin", managementserverid="ms-test-id"), 3)
        self.assertEqual(self.api_error(self.client("admin").listWebhookDeliveries, id="nope")[1]["errortext"],
                         "Invalid ID specified")

    def test_domains_and_accounts_follow_access(self):
        def ids(answer, key):
            return sorted(x["id"] for x in answer.get(key, []))

        self.assertEqual(ids(self.client("admin").listDomains(), "domain"), sorted([ROOT, CHILD, GRANDCHILD, SIBLING]))
        self.assertEqual(ids(self.client("child-admin").listDomains(), "domain"), sorted([CHILD, GRANDCHILD]))
        self.assertEqual(ids(self.client("alice").listDomains(), "domain"), [GRANDCHILD])
        self.assertEqual(ids(self.client("child-admin").listAccounts(), "account"), sorted([CHILD_ADMIN, ALICE]))
        self.assertEqual(ids(self.client("bob").listAccounts(), "account"), [BOB])
        acc = self.client("admin").listAccounts(name="child-admin")["account"][0]
        self.assertEqual((acc["accounttype"], acc["roletype"], acc["domainid"]), (2, "DomainAdmin", CHILD))

    def test_authentication(self):
        status, err = self.api_error(self.client("alice", secret="wrong").listWebhooks)
        self.assertEqual((status, err["errorcode"]), (401, 401))
        past = (datetime.now(timezone.utc) - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%S+0000")
        status, err = self.api_error(self.client("alice").listWebhooks, expires=past, signatureVersion="3")
        self.assertEqual(status, 401)
        self.assertIn("expired", err["errortext"])
        c = CloudStack(endpoint=self.endpoint, key="no-such-key", secret="x")
        self.assertEqual(self.api_error(c.listWebhooks)[0], 401)

    def test_post_form_and_unknown_command(self):
        self.assertEqual(self.client("alice", method="post").listWebhooks()["count"], 1)
        status, err = self.api_error(self.client("alice").frobnicateWebhooks)
        self.assertEqual((status, err["errorcode"]), (432, 432))
        self.assertIn("frobnicateWebhooks", err["errortext"])

    def test_xml_is_refused_clearly(self):
        out = subprocess.run([HOOKSHOT, "api", "listWebhooks", "response=xml", "--url", self.endpoint,
                              "--api-key", "alice-api-key", "--secret-key", "alice-secret-key", "--compact"],
                             capture_output=True, text=True, timeout=30)
        self.assertEqual(out.returncode, 1)
        err = json.loads(out.stdout)["listwebhooksresponse"]
        self.assertEqual(err["errorcode"], 431)
        self.assertIn("response=xml is not supported", err["errortext"])

    def test_cli_client_signs_like_cloudstack_clients(self):
        out = subprocess.run([HOOKSHOT, "api", "listWebhooks", "listall=true", "--url", self.endpoint,
                              "--api-key", "admin-api-key", "--secret-key", "admin-secret-key"],
                             capture_output=True, text=True, timeout=30)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(json.loads(out.stdout)["listwebhooksresponse"]["count"], 4)


if __name__ == "__main__":
    unittest.main()

"""Secrets at rest: webhook secret keys are sealed in LMDB with AES-256-GCM under a key from a
0600 file or the environment, never written to the log, and a wrong or loose key stops
start-up with a message naming it."""

import os
import stat
import subprocess
import unittest

from harness import HOOKSHOT, Hookshot, Receiver, event, header, sign, wait_for, webhook

SECRET = "webhook-secret-MUST-NOT-LEAK-4f7a9c"


def data_bytes(hs):
    with open(os.path.join(hs.data_dir, "data.mdb"), "rb") as f:
        return f.read()


class SecretsAtRestTest(unittest.TestCase):
    def setUp(self):
        self.rx = Receiver()
        self.hs = Hookshot([webhook("signed", self.rx.url, secretkey=SECRET)])

    def tearDown(self):
        self.hs.close()
        self.rx.close()

    def serve_fails(self, env=None):
        """Runs serve to its exit; returns (code, stderr)."""
        r = subprocess.run([HOOKSHOT, "serve", "--config", self.hs.config_path], capture_output=True,
                           text=True, timeout=30, env={**os.environ, **(env or {})})
        return r.returncode, r.stderr

    def test_sealed_on_disk_still_signing_and_never_logged(self):
        self.hs.start()
        self.hs.post_events([event()])
        wait_for(lambda: self.rx.count() == 1, what="the signed delivery")
        req = self.rx.snapshot()[0]
        self.assertEqual(header(req, "X-CS-Signature"), sign(SECRET, req["body"]))
        self.assertEqual(self.hs.stop(), 0)

        key_file = os.path.join(self.hs.data_dir, "secrets.key")
        self.assertEqual(stat.S_IMODE(os.stat(key_file).st_mode), 0o600)
        self.assertEqual(stat.S_IMODE(os.stat(os.path.join(self.hs.data_dir, "data.mdb")).st_mode), 0o600)
        self.assertEqual(stat.S_IMODE(os.stat(self.hs.data_dir).st_mode), 0o700)
        self.assertNotIn(SECRET.encode(), data_bytes(self.hs))
        self.assertIn(b"signed", data_bytes(self.hs))  # the webhook is there, its secret sealed
        self.assertIn("secrets.key", self.hs.output())
        self.assertNotIn(SECRET, self.hs.output())

        # Restarted with the same key: still signs with the same secret.
        self.hs.start()
        self.hs.post_events([event()])
        wait_for(lambda: self.rx.count() == 2, what="the second delivery")
        req = self.rx.snapshot()[1]
        self.assertEqual(header(req, "X-CS-Signature"), sign(SECRET, req["body"]))

    def test_a_key_from_a_file_or_the_environment(self):
        key_file = os.path.join(self.hs.tmp, "hookshot.key")
        with open(key_file, "w") as f:
            f.write("ab" * 32 + "\n")
        os.chmod(key_file, 0o644)
        self.hs.config["secrets"] = {"key_file": key_file}
        self.hs.write_config()
        code, err = self.serve_fails()
        self.assertEqual(code, 1)
        self.assertIn(f"secrets.key_file: {key_file} is readable by group or others (mode 0644); chmod 600 it", err)
        self.assertFalse(os.path.exists(os.path.join(self.hs.data_dir, "data.mdb")))  # nothing written

        os.chmod(key_file, 0o600)
        self.hs.start()
        self.hs.post_events([event()])
        wait_for(lambda: self.rx.count() == 1, what="a delivery")
        self.assertEqual(self.hs.stop(), 0)
        self.assertFalse(os.path.exists(os.path.join(self.hs.data_dir, "secrets.key")))

        # The environment wins over the file; a different key is refused, data untouched.
        before = data_bytes(self.hs)
        code, err = self.serve_fails({"HOOKSHOT_SECRETS_KEY": "cd" * 32})
        self.assertEqual(code, 1)
        self.assertIn("the secrets key is not the one the data directory", err)
        self.assertEqual(data_bytes(self.hs), before)
        # The same key through the environment is accepted.
        self.hs.config.pop("secrets")
        self.hs.write_config()
        self.hs.start(env={"HOOKSHOT_SECRETS_KEY": "ab" * 32})
        self.hs.post_events([event()])
        wait_for(lambda: self.rx.count() == 2, what="a delivery after restart")
        self.assertEqual(header(self.rx.snapshot()[1], "X-CS-Signature"), sign(SECRET, self.rx.snapshot()[1]["body"]))


if __name__ == "__main__":
    unittest.main()

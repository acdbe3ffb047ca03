"""An e-mail backend for the two-worker test (tests/ops/test_pg_two_servers.py): takes a while per message, so two
workers' batches overlap, and appends "<pid> <subject>" per sent message to $HELHET_TEST_MAIL_LOG. Tests only."""

from __future__ import annotations

import os
import time

from django.core.mail.backends.base import BaseEmailBackend


class EmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        path = os.environ["HELHET_TEST_MAIL_LOG"]
        for message in email_messages:
            time.sleep(float(os.environ.get("HELHET_TEST_MAIL_DELAY", "0.02")))
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:  # one short O_APPEND write per line: the two workers' lines never interleave
                os.write(fd, f"{os.getpid()} {message.subject}\n".encode())
            finally:
                os.close(fd)
        return len(email_messages)

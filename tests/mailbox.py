"""An email backend for tests that run a real worker in another process: each message is
written to its own file in TEST_MAIL_DIR, after TEST_MAIL_DELAY seconds (the time an SMTP
server takes to accept it), so a test can count what was delivered and stop a worker while
it is sending."""

import os
import time
import uuid
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend


class EmailBackend(BaseEmailBackend):
    def send_messages(self, messages):
        folder = Path(os.environ["TEST_MAIL_DIR"])
        for message in messages:
            time.sleep(float(os.environ.get("TEST_MAIL_DELAY", "0")))
            (folder / f"{uuid.uuid4().hex}.eml").write_bytes(message.message().as_bytes())
        return len(messages)


def delivered(folder) -> list[str]:
    return [path.read_text() for path in sorted(Path(folder).glob("*.eml"))]

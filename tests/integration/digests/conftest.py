"""The digest tests' runtime: mail goes to the session's real SMTP server (the `smtp`
fixture), with a short retry delay so a refused recipient does not slow the suite."""

from __future__ import annotations

import pytest

from board.mail.transport import Mailer
from board.runtime import Runtime
from tests.support.mail import SmtpSink


@pytest.fixture
def rt(runtime: Runtime, smtp: SmtpSink) -> Runtime:
    runtime.mailer = Mailer(smtp.url, runtime.settings.var_dir / "mail", runtime.settings.mail_from)
    runtime.mailer.retry_delays = (0.05,)
    return runtime

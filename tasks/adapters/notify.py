"""Where escalations go: the log always, a webhook and SMTP when configured (and the SMTP call the task
digest uses too).

CERTFLOW_SLA_WEBHOOK=https://…     POST the notification as JSON
CERTFLOW_SMTP_HOST=host[:port], CERTFLOW_SMTP_FROM=…, CERTFLOW_SMTP_TO=a@x,b@y   one mail per notification
"""

from __future__ import annotations

import json
import logging
from email.message import EmailMessage
from typing import Any, Protocol

log = logging.getLogger("certflow.notify")


class Notifier(Protocol):
    def send(self, notification: dict[str, Any]) -> None: ...


class LogNotifier:
    def send(self, notification: dict[str, Any]) -> None:
        log.warning("SLA %s → %s: %s", notification["level"], ", ".join(notification["to"]), notification["text"])


class WebhookNotifier:
    def __init__(self, url: str, timeout: float = 5.0) -> None:
        self.url, self.timeout = url, timeout

    def send(self, notification: dict[str, Any]) -> None:
        import httpx

        response = httpx.post(self.url, json=notification, timeout=self.timeout)
        response.raise_for_status()  # a refused delivery is retried on the next tick


def send_mail(host: str, *, sender: str, to: list[str], subject: str, text: str) -> None:
    """One plain-text mail through the SMTP server `host[:port]`; a refusal raises (the caller retries)."""
    import smtplib

    message = EmailMessage()
    message["Subject"] = subject
    message["From"], message["To"] = sender, ", ".join(to)
    message.set_content(text)
    server, _, port = host.partition(":")
    with smtplib.SMTP(server, int(port or 25), timeout=10) as smtp:
        smtp.send_message(message)


class SmtpNotifier:
    def __init__(self, host: str, sender: str, recipients: list[str]) -> None:
        self.host, self.sender, self.recipients = host, sender, recipients

    def send(self, notification: dict[str, Any]) -> None:
        send_mail(self.host, sender=self.sender, to=self.recipients, subject=f"[certflow] {notification['text']}",
                  text=json.dumps(notification, ensure_ascii=False, indent=2))


class AllOf:
    """Every configured channel; one failing channel fails the send (so it is retried)."""

    def __init__(self, notifiers: list[Notifier]) -> None:
        self.notifiers = notifiers

    def send(self, notification: dict[str, Any]) -> None:
        for notifier in self.notifiers:
            notifier.send(notification)


def from_settings(settings) -> Notifier:  # core.settings.Settings
    channels: list[Notifier] = [LogNotifier()]
    if settings.sla_webhook:
        channels.append(WebhookNotifier(settings.sla_webhook))
    if settings.smtp_host and settings.smtp_to:
        channels.append(SmtpNotifier(settings.smtp_host, settings.smtp_from, list(settings.smtp_to)))
    return AllOf(channels)

"""Webhooks: the owner's event feed (tasks.queries.events), pushed to its endpoints. A pass of the tick queues the
feed's new events as deliveries (one per endpoint and event, so a receiver de-duplicates on the event id),
then posts the due ones — outside any database transaction, each result recorded in a short one —
signed (policy.webhooks), at least once, in order per case (a case's next event waits for the one before
it), retried with backoff for 24 hours; an endpoint whose delivery is given up is disabled, with the
reason shown to its owner. Targets resolving to anything but global addresses are refused (SSRF) unless an
admin allows them for the centre's own systems (an approval that lapses when someone else changes the URL);
the address is checked again at each delivery and the POST goes to the address that was checked."""

from __future__ import annotations

import datetime as dt
import json
import secrets
import socket
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlmodel import Session, col, select

from core.clock import wall_now
from models import responses as out
from models.accounts import User
from models.audit import AuditEvent
from models.db import session_scope, stored
from models.integration import WebhookDelivery, WebhookEndpoint
from policy.eligibility import Violation
from policy.webhooks import RETRY_FOR, internal_address, next_delay, signature, url_problems
from tasks.errors import NotFound, Problems
from tasks.people import accounts
from tasks.queries import events
from tasks.records import audit

TIMEOUT_SECONDS = 5.0


def resolve(host: str) -> list[str]:
    return sorted({str(info[4][0]) for info in socket.getaddrinfo(host, None)})


def checked_target(url: str, *, allow_internal: bool,
                   resolver: Callable[[str], list[str]] | None = None) -> tuple[list[str], str | None]:
    """The URL's problems, or none and the address to connect to: the host is resolved once here and
    every address it resolves to is judged, so a name cannot answer the check with one address and the
    connection with another (DNS rebinding)."""
    problems = url_problems(url)
    if problems:
        return problems, None
    host = urlsplit(url).hostname or ""  # url_problems refused a URL without a host
    try:
        addresses = (resolver or resolve)(host)
    except OSError:
        return [f"无法解析主机名 {host} / {host} does not resolve"], None
    if not addresses:
        return [f"无法解析主机名 {host} / {host} does not resolve"], None
    inside = [a for a in addresses if internal_address(a)]
    if inside and not allow_internal:
        return [f"{host} 解析为内部地址 {inside[0]}，不能作为回调地址 / {host} resolves to the internal address "
                f"{inside[0]} (not a global address: loopback, private, shared, link-local, or one of these inside "
                f"IPv6): refused unless an administrator allows it"], None
    return [], addresses[0]


def target_problems(url: str, *, allow_internal: bool,
                    resolver: Callable[[str], list[str]] | None = None) -> list[str]:
    return checked_target(url, allow_internal=allow_internal, resolver=resolver)[0]


def pinned(url: str, address: str) -> tuple[str, dict[str, str], dict[str, str]]:
    """The URL aimed at the checked address, with the Host header (and for https the TLS server name,
    which the certificate is checked against) of the original host."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    literal = f"[{address}]" if ":" in address else address
    port = f":{parts.port}" if parts.port else ""
    aimed = parts._replace(netloc=f"{literal}{port}").geturl()
    host_header = (f"[{host}]" if ":" in host else host) + port
    return aimed, {"Host": host_header}, ({"sni_hostname": host} if parts.scheme == "https" else {})


def _check(url: str, types: list[str], allow_internal: bool) -> None:
    problems = [Violation("webhook.url", "url", p) for p in target_problems(url, allow_internal=allow_internal)]
    problems += [Violation("webhook.event", f"events[{i}]", f"未知的事件类型 {t} / unknown event type {t}")
                 for i, t in enumerate(types) if t not in events.TYPES]
    if problems:
        raise Problems(problems)


def create_endpoint(session: Session, *, user: User, url: str, types: list[str],
                    allow_internal: bool = False) -> tuple[WebhookEndpoint, str]:
    """The endpoint and its secret (shown this once). It receives the events from now on."""
    if allow_internal and user.role != "admin":
        raise Problems([Violation("webhook.allow_internal", "allow_internal",
                                  "只有管理员可以允许内部地址 / only an administrator allows an internal target")])
    _check(url, types, allow_internal)
    now = wall_now()
    secret = secrets.token_urlsafe(32)
    latest = session.exec(select(AuditEvent.id).order_by(col(AuditEvent.id).desc())).first() or 0
    endpoint = WebhookEndpoint(owner_id=user.id, url=url, event_types=list(dict.fromkeys(types)), secret=secret,
                               allow_internal=allow_internal, cursor=latest, created_at=now, updated_at=now)
    session.add(endpoint)
    session.flush()
    audit.record(session, case_type="webhook", case_id=endpoint.id, action="webhook_created", actor_id=user.id,
                 actor_role=user.role, after={"url": url, "events": endpoint.event_types})
    return endpoint, secret


def visible_endpoint(session: Session, user: User, endpoint_id: int) -> WebhookEndpoint:
    endpoint = session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None or not (endpoint.owner_id == user.id or user.role == "admin"):
        raise NotFound(f"webhook {endpoint_id} does not exist")
    return endpoint


def list_endpoints(session: Session, user: User) -> list[WebhookEndpoint]:
    query = select(WebhookEndpoint)
    if user.role != "admin":
        query = query.where(WebhookEndpoint.owner_id == user.id)
    return list(session.exec(query.order_by(col(WebhookEndpoint.id))).all())


def update_endpoint(session: Session, *, user: User, endpoint_id: int, url: str | None, types: list[str] | None,
                    enabled: bool | None, allow_internal: bool | None) -> WebhookEndpoint:
    endpoint = visible_endpoint(session, user, endpoint_id)
    if allow_internal is not None and user.role != "admin":
        raise Problems([Violation("webhook.allow_internal", "allow_internal",
                                  "只有管理员可以允许内部地址 / only an administrator allows an internal target")])
    new_allow = endpoint.allow_internal if allow_internal is None else allow_internal
    if url is not None and url != endpoint.url and user.role != "admin":
        new_allow = False  # an admin approved that internal target, not whatever the owner points it at next
    _check(url or endpoint.url, types if types is not None else [], new_allow)
    before = {"url": endpoint.url, "events": endpoint.event_types, "enabled": endpoint.enabled}
    endpoint.url, endpoint.allow_internal = url or endpoint.url, new_allow
    if types is not None:
        endpoint.event_types = list(dict.fromkeys(types))
    if enabled and not endpoint.enabled:
        owner = session.get(User, endpoint.owner_id)
        if owner is None or not accounts.has_live_credential(session, owner, wall_now()):
            raise Problems([Violation("webhook.no_credential", "enabled",
                                      "所有者没有有效的令牌或账户已停用，不能启用 / its owner has no live token "
                                      "(or the account is disabled): issue a token first")])
    if enabled is not None:
        endpoint.enabled = enabled
        endpoint.disabled_reason = None if enabled else "由所有者停用 / disabled by its owner"
    endpoint.updated_at = wall_now()
    session.add(endpoint)
    audit.record(session, case_type="webhook", case_id=endpoint.id, action="webhook_updated", actor_id=user.id,
                 actor_role=user.role, before=before,
                 after={"url": endpoint.url, "events": endpoint.event_types, "enabled": endpoint.enabled})
    return endpoint


def delete_endpoint(session: Session, *, user: User, endpoint_id: int) -> None:
    endpoint = visible_endpoint(session, user, endpoint_id)
    for delivery in session.exec(select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id)).all():
        session.delete(delivery)
    session.delete(endpoint)
    audit.record(session, case_type="webhook", case_id=endpoint_id, action="webhook_deleted", actor_id=user.id,
                 actor_role=user.role, before={"url": endpoint.url})


def deliveries(session: Session, *, user: User, endpoint_id: int, after_id: int | None,
               limit: int) -> list[WebhookDelivery]:
    visible_endpoint(session, user, endpoint_id)
    query = select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint_id)
    if after_id:
        query = query.where(col(WebhookDelivery.id) > after_id)
    return list(session.exec(query.order_by(col(WebhookDelivery.id)).limit(limit + 1)).all())


def redeliver(session: Session, *, user: User, endpoint_id: int, delivery_id: int) -> WebhookDelivery:
    """Send it again now (delivered or given up): a redelivery has 24 hours of its own."""
    visible_endpoint(session, user, endpoint_id)
    delivery = session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.endpoint_id != endpoint_id:
        raise NotFound(f"delivery {delivery_id} does not exist")
    now = wall_now()
    delivery.status, delivery.next_attempt_at, delivery.created_at = "pending", now, now
    session.add(delivery)
    audit.record(session, case_type="webhook", case_id=endpoint_id, action="webhook_redelivery", actor_id=user.id,
                 actor_role=user.role, after={"delivery_id": delivery.id, "event_id": delivery.event_id})
    return delivery


# --- the delivery pass --------------------------------------------------------------------------------------

def enqueue(session: Session, *, settle: bool, now: dt.datetime, limit: int = 500) -> int:
    """Queue each enabled endpoint's new events (its owner's feed after the endpoint's cursor), due `now`."""
    queued = 0
    for endpoint in session.exec(select(WebhookEndpoint).where(col(WebhookEndpoint.enabled).is_(True))).all():
        owner = session.get(User, endpoint.owner_id)
        if owner is None or owner.disabled_at is not None:
            continue  # disable_user stopped it too; this holds even for a row enabled behind our back
        found, cursor, _ = events.feed(session, owner, after_id=endpoint.cursor, limit=limit,
                                       types=set(endpoint.event_types) or None, settle=settle)
        for event in found:  # posted as the feed answers it
            session.add(WebhookDelivery(endpoint_id=endpoint.id, event_id=event.id,
                                        case_key=f"{event.case_type}:{event.case_id}",
                                        event=event.model_dump(mode="json"), next_attempt_at=now, created_at=now))
            queued += 1
        endpoint.cursor = cursor
        session.add(endpoint)
    return queued


def due(session: Session, now: dt.datetime, limit: int = 200, chain: int = 20) -> list[list[dict[str, Any]]]:
    """What to post now, per endpoint and case: its pending deliveries in order (up to `chain`), when the
    oldest of them is due — a case's events go one after the other, different cases side by side."""
    rows = session.exec(select(WebhookDelivery, WebhookEndpoint)
                        .join(WebhookEndpoint, col(WebhookEndpoint.id) == col(WebhookDelivery.endpoint_id))
                        .where(WebhookDelivery.status == "pending", col(WebhookEndpoint.enabled).is_(True))
                        .order_by(col(WebhookDelivery.id)).limit(limit * chain)).all()
    chains: dict[tuple[int, str], list[dict[str, Any] | None]] = {}
    for delivery, endpoint in rows:
        queue = chains.setdefault((endpoint.id, delivery.case_key), [])
        if len(queue) < chain and (queue or _aware(delivery.next_attempt_at) <= now):
            queue.append({"delivery_id": delivery.id, "url": endpoint.url, "secret": endpoint.secret,
                          "allow_internal": endpoint.allow_internal, "event": delivery.event})
        elif not queue:
            queue.append(None)  # the case's oldest delivery waits for its retry: so do the others
    return [[entry for entry in queue if entry is not None]  # a queue led by a delivery holds only deliveries
            for queue in chains.values() if queue and queue[0] is not None][:limit]


def _aware(at: dt.datetime) -> dt.datetime:
    return at if at.tzinfo else at.replace(tzinfo=dt.UTC)


def post(job: dict[str, Any], *, client, clock: Callable[[], float] = time.time,  # httpx.Client
         resolver: Callable[[str], list[str]] | None = None) -> tuple[int | None, str | None]:
    """One signed POST, outside any transaction: (HTTP status, error)."""
    problems, address = checked_target(job["url"], allow_internal=job["allow_internal"], resolver=resolver)
    if problems or address is None:
        return None, problems[0] if problems else "no address"
    url, host, extensions = pinned(job["url"], address)
    body = json.dumps(job["event"], ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    timestamp = int(clock())
    headers = {"Content-Type": "application/json", "X-Certflow-Event-Id": str(job["event"]["id"]),
               "X-Certflow-Event-Type": job["event"]["type"], "X-Certflow-Timestamp": str(timestamp),
               "X-Certflow-Signature": signature(job["secret"], timestamp, body)} | host
    try:
        answer = client.post(url, content=body, headers=headers, extensions=extensions)
    except Exception as exc:  # noqa: BLE001 - any transport failure is retried
        return None, f"{type(exc).__name__}: {exc}"[:500]
    if 200 <= answer.status_code < 300:
        return answer.status_code, None
    # the status line only: the receiver's body is not ours to keep or show (an internal page's contents)
    return answer.status_code, f"HTTP {answer.status_code} {answer.reason_phrase}".strip()


def record(session: Session, *, delivery_id: int, status: int | None, error: str | None, now: dt.datetime) -> str:
    """The outcome of one attempt: delivered, retried later, or — out of its 24 hours — given up, which
    disables the endpoint with the reason."""
    delivery = session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.status != "pending":
        return "gone"
    delivery.attempts += 1
    delivery.last_status, delivery.last_error = status, error
    if error is None:
        delivery.status, delivery.delivered_at = "delivered", now
    elif now - _aware(delivery.created_at) >= RETRY_FOR:
        delivery.status = "failed"
        endpoint = stored(session, WebhookEndpoint, delivery.endpoint_id)
        endpoint.enabled = False
        endpoint.disabled_reason = (
            f"投递失败超过 24 小时，已停用（事件 {delivery.event_id}，{delivery.attempts} 次）：{error} / "
            f"deliveries failed for 24 hours; disabled"
        )[:1000]
        session.add(endpoint)
        audit.record(
            session,
            case_type="webhook",
            case_id=endpoint.id,
            action="webhook_disabled",
            after={"event_id": delivery.event_id, "attempts": delivery.attempts, "error": error},
        )
    else:
        delivery.next_attempt_at = now + dt.timedelta(seconds=next_delay(delivery.attempts))
    session.add(delivery)
    return delivery.status


def deliver_pass(
    database_url: str,
    *,
    now: dt.datetime | None = None,
    client=None,
    resolver: Callable[[str], list[str]] | None = None,
    workers: int = 8,
    limit: int = 200,
) -> dict[str, int]:
    """Queue, then post what is due (a case's events in order, cases in parallel), then record the results
    in one transaction."""
    now = now or wall_now()
    with session_scope(database_url, readonly=True) as session:  # no endpoint: no write transaction at all
        if session.exec(select(WebhookEndpoint.id).where(col(WebhookEndpoint.enabled).is_(True))).first() is None:
            return {"queued": 0, "delivered": 0, "retrying": 0, "failed": 0}
    with session_scope(database_url) as session:
        queued = enqueue(session, settle=database_url.startswith("postgresql"), now=now)
    with session_scope(database_url, readonly=True) as session:
        queues = due(session, now, limit)
    own = client is None
    client = client or httpx.Client(timeout=TIMEOUT_SECONDS, follow_redirects=False)
    counts = {"queued": queued, "delivered": 0, "retrying": 0, "failed": 0}

    def post_in_order(queue: list[dict[str, Any]]) -> list[tuple[int, int | None, str | None]]:
        results = []
        for job in queue:
            status, error = post(job, client=client, resolver=resolver)
            results.append((job["delivery_id"], status, error))
            if error is not None:
                break  # the case's later events wait for this one
        return results

    try:
        with ThreadPoolExecutor(max_workers=max(1, min(workers, len(queues) or 1))) as pool:
            outcomes = [result for results in pool.map(post_in_order, queues) for result in results]
    finally:
        if own:
            client.close()
    with session_scope(database_url) as session:  # after the posts, never around them
        for delivery_id, status, error in outcomes:
            outcome = record(session, delivery_id=delivery_id, status=status, error=error, now=now)
            key = {"delivered": "delivered", "pending": "retrying", "failed": "failed"}.get(outcome)
            if key:
                counts[key] += 1
    return counts


def endpoint_view(endpoint: WebhookEndpoint, secret: str | None = None) -> out.WebhookOut:
    shown = out.WebhookOut(id=endpoint.id, url=endpoint.url, events=endpoint.event_types, enabled=endpoint.enabled,
                           disabled_reason=endpoint.disabled_reason, allow_internal=endpoint.allow_internal,
                           created_at=endpoint.created_at, updated_at=endpoint.updated_at)
    if secret is not None:
        return shown.model_copy(update={"secret": secret})  # once: it is not shown again
    return shown



def delivery_view(delivery: WebhookDelivery) -> out.DeliveryOut:
    return out.DeliveryOut(id=delivery.id, event_id=delivery.event_id, event_type=delivery.event["type"],
        case=delivery.case_key, status=delivery.status, attempts=delivery.attempts, last_status=delivery.last_status,
        last_error=delivery.last_error,
        next_attempt_at=_aware(delivery.next_attempt_at).isoformat() if delivery.status == "pending" else None,
        delivered_at=_aware(delivery.delivered_at).isoformat() if delivery.delivered_at else None)

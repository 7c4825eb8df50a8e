"""Webhooks for an enterprise's systems (or, by an admin, a centre's): register an endpoint for the caller's
case events, follow its delivery log, redeliver one."""

from __future__ import annotations

from fastapi import APIRouter, Response

from api.deps import Id, SessionDep, role
from api.errors import ERRORS
from api.pagination import CursorQuery, LimitQuery, decode_cursor, page
from models.responses import DeliveryOut, DeliveryPage, WebhookList, WebhookOut
from models.schemas import WebhookCreate, WebhookUpdate
from tasks.exchange import webhooks

router = APIRouter(prefix="/api/v1/webhooks", tags=["webhooks"], responses=ERRORS)
Owner = role("enterprise", "admin")


@router.post("", response_model=WebhookOut,
             status_code=201, summary="Register an endpoint; the answer carries its signing secret, once")
def create_webhook(body: WebhookCreate, user: Owner, session: SessionDep):
    endpoint, secret = webhooks.create_endpoint(session, user=user, url=body.url, types=body.events,
                                                allow_internal=body.allow_internal)
    return webhooks.endpoint_view(endpoint, secret)


@router.get("", response_model=WebhookList, summary="My endpoints (an admin: every endpoint)")
def list_webhooks(user: Owner, session: SessionDep):
    return WebhookList(items=[webhooks.endpoint_view(e) for e in webhooks.list_endpoints(session, user)])


@router.get("/{webhook_id}", response_model=WebhookOut, summary="An endpoint, and why it was disabled if it was")
def read_webhook(webhook_id: Id, user: Owner, session: SessionDep):
    return webhooks.endpoint_view(webhooks.visible_endpoint(session, user, webhook_id))


@router.patch("/{webhook_id}", response_model=WebhookOut,
              summary="Change the URL or the event types, disable or re-enable it")
def update_webhook(webhook_id: Id, body: WebhookUpdate, user: Owner, session: SessionDep):
    return webhooks.endpoint_view(webhooks.update_endpoint(
        session, user=user, endpoint_id=webhook_id, url=body.url, types=body.events, enabled=body.enabled,
        allow_internal=body.allow_internal))


@router.delete("/{webhook_id}", status_code=204, response_class=Response, summary="Remove an endpoint and its log")
def delete_webhook(webhook_id: Id, user: Owner, session: SessionDep):
    webhooks.delete_endpoint(session, user=user, endpoint_id=webhook_id)
    return Response(status_code=204)


@router.get("/{webhook_id}/deliveries", response_model=DeliveryPage,
            summary="The delivery log: status, attempts, last error")
def list_deliveries(webhook_id: Id, user: Owner, session: SessionDep, limit: LimitQuery = 50,
                    cursor: CursorQuery = None):
    rows = webhooks.deliveries(session, user=user, endpoint_id=webhook_id, after_id=decode_cursor(cursor),
                               limit=limit)
    return page([webhooks.delivery_view(d) for d in rows], [d.id for d in rows], limit)


@router.post("/{webhook_id}/deliveries/{delivery_id}/redeliver", response_model=DeliveryOut,
             summary="Send one delivery again now")
def redeliver(webhook_id: Id, delivery_id: Id, user: Owner, session: SessionDep):
    return webhooks.delivery_view(webhooks.redeliver(session, user=user, endpoint_id=webhook_id,
                                                     delivery_id=delivery_id))

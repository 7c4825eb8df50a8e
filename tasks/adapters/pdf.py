"""The PDF renderer (Jinja2 + WeasyPrint) and its cache of rendered documents, knowing nothing of cases.

Measured facts this follows (DESIGN.md §1): one reused FontConfiguration and parsed stylesheet per
process (creating them per document is 1.5x slower and leaks).
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from tasks.adapters.filestore import DocumentCache
from tasks.adapters.fonts import font_face_css

TEMPLATE_VERSION = "4"
TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "documents"


class Renderer:
    """One per process: the Jinja environment, fonts and stylesheet are built once."""

    def __init__(self) -> None:
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        self.fonts = FontConfiguration()
        stylesheet = font_face_css() + (TEMPLATES / "base.css").read_text(encoding="utf-8")
        self.css = CSS(string=stylesheet, base_url=str(TEMPLATES), font_config=self.fonts)
        self.env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]))

    def pdf(self, template: str, **context: Any) -> bytes:
        from weasyprint import HTML

        html = self.env.get_template(template).render(**context)
        return HTML(string=html, base_url=str(TEMPLATES)).write_pdf(stylesheets=[self.css], font_config=self.fonts)


_renderer: Renderer | None = None


def renderer() -> Renderer:
    global _renderer
    if _renderer is None:
        _renderer = Renderer()
    return _renderer


def qr_data_uri(url: str) -> str:
    import segno

    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=4, border=2)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def cached_pdf(store: DocumentCache, kind: str, template: str, name: str, model: dict[str, Any]) -> bytes:
    """Receipts and notices: rendered once per content (the key is a digest of the view-model and
    the template version, so a changed fact renders anew and nothing stale is served)."""
    digest = hashlib.sha256(
        json.dumps([TEMPLATE_VERSION, model], sort_keys=True, ensure_ascii=False, default=str).encode()
    ).hexdigest()[:24]
    found = store.read(f"{kind}/{digest}.pdf")
    if found is None:
        found = renderer().pdf(template, **{name: model})
        store.write(f"{kind}/{digest}.pdf", found)
    return found



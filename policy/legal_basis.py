"""What a printed document may cite, pure: each profile names its province's source texts (number, date, what
kind of text, how long it says it holds) and, per document, the passage it rests on — a section and a quotation
that must be the seed's own words (checked against the text in policy/sources/ when the profile loads). A
document with no such passage cites nothing: a local practice is not dressed as a rule. A text past its stated
validity, a draft for comment, or a pilot the seeds say has ended is a warning on the profiles page."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

SOURCES_DIR = Path(__file__).parent / "sources"  # the seed texts as given (000.txt … 004.txt)
DOCUMENTS = ("deficiency_notice", "filing_receipt", "rectification_order", "cancellation", "quarterly_report")
TextKind = Literal["notice", "draft", "drafting_note"]
KIND_NAMES = {"notice": "正式文件", "draft": "征求意见稿", "drafting_note": "起草说明"}


class BasisError(ValueError):
    pass


@dataclass(frozen=True)
class SourceText:
    seed: str  # "004"
    title: str  # 关于推动企业全面开展技能人才评价工作的通知
    number: str | None  # 甘人社通〔2021〕138号; None: the text bears none
    issued_on: dt.date | None
    kind: TextKind
    valid_until: dt.date | None = None  # what the text itself says (004: 有效期3年 from 2021-04-16)
    caution: str | None = None  # what another seed says of it, with that seed's section

    @property
    def citation(self) -> str:
        return f"《{self.title}》" + (f"（{self.number}）" if self.number else "")


@dataclass(frozen=True)
class DocumentBasis:
    seed: str
    section: str  # 四(二)
    quote: str  # the seed's own words


@cache
def seed_text(seed: str) -> str:
    path = SOURCES_DIR / f"{seed}.txt"
    if not re.fullmatch(r"\d{3}", seed) or not path.is_file():
        raise BasisError(f"no seed text {seed!r} in {SOURCES_DIR}")
    return path.read_text(encoding="utf-8")


def _squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def quote_problem(seed: str, quote: str) -> str | None:
    """None when `quote` is the seed's own words (whitespace aside); else what is wrong."""
    if not quote.strip():
        return "an empty quotation"
    if _squeezed(quote) not in _squeezed(seed_text(seed)):
        return f"“{quote}” is not in seed {seed}: quote only the text's own words"
    return None


def _date(value: object, where: str) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise BasisError(f"{where}: {value!r} is not a date (YYYY-MM-DD)") from None


def parse_texts(data: object) -> tuple[SourceText, ...]:
    if not isinstance(data, list) or not data:
        raise BasisError("must list the province's source texts: {seed, title, number, issued_on, kind, …}")
    texts = []
    allowed = {"seed", "title", "number", "issued_on", "kind", "valid_until", "caution"}
    for n, item in enumerate(data):
        where = f"source_texts[{n}]"
        if not isinstance(item, dict) or not {"seed", "title", "kind"} <= set(item) <= allowed:
            raise BasisError(f"{where}: must be {{seed, title, number, issued_on, kind, valid_until, caution}}")
        if item["kind"] not in KIND_NAMES:
            raise BasisError(f"{where}.kind: one of {', '.join(KIND_NAMES)}")
        seed = str(item["seed"])
        seed_text(seed)
        texts.append(SourceText(seed=seed, title=str(item["title"]), number=item.get("number"),
                                issued_on=_date(item.get("issued_on"), f"{where}.issued_on"), kind=item["kind"],
                                valid_until=_date(item.get("valid_until"), f"{where}.valid_until"),
                                caution=item.get("caution")))
    return tuple(texts)


def parse_bases(data: object, texts: tuple[SourceText, ...]) -> dict[str, DocumentBasis | None]:
    if not isinstance(data, dict) or set(data) != set(DOCUMENTS):
        raise BasisError(f"must name every document ({', '.join(DOCUMENTS)}): a passage {{seed, section, quote}} "
                         "or null (the document cites nothing)")
    enacted = {t.seed for t in texts if t.kind == "notice"}
    bases: dict[str, DocumentBasis | None] = {}
    for document, item in data.items():
        if item is None:
            bases[document] = None
            continue
        if not isinstance(item, dict) or set(item) != {"seed", "section", "quote"}:
            raise BasisError(f"document_bases.{document}: must be {{seed, section, quote}} or null")
        seed = str(item["seed"])
        if seed not in enacted:
            raise BasisError(f"document_bases.{document}: seed {seed} is not one of this province's enacted texts "
                             "(a draft or a drafting note is no basis for a decision)")
        problem = quote_problem(seed, str(item["quote"]))
        if problem:
            raise BasisError(f"document_bases.{document}.quote: {problem}")
        bases[document] = DocumentBasis(seed, str(item["section"]), str(item["quote"]))
    return bases


def basis_line(texts: tuple[SourceText, ...], bases: dict[str, DocumentBasis | None], document: str) -> str | None:
    """What the document prints after 依据：, or None (it prints no basis)."""
    basis = bases.get(document)
    if basis is None:
        return None
    text = next(t for t in texts if t.seed == basis.seed)
    return f"{text.citation}{basis.section}：“{basis.quote}”"


def text_warnings(texts: tuple[SourceText, ...], today: dt.date) -> list[str]:
    """What a reader of the profile must know about the texts it runs on, as of `today`."""
    warnings = []
    for text in texts:
        if text.valid_until is not None and today > text.valid_until:
            warnings.append(f"{text.citation}自述有效期至 {text.valid_until.isoformat()}，已过期；请核实现行文件")
        if text.kind != "notice":
            warnings.append(f"{text.citation}是{KIND_NAMES[text.kind]}，不是正式印发的文件：文书不引用它")
        if text.caution:
            warnings.append(f"{text.citation}：{text.caution}")
    return warnings

"""One-page briefs as PDF files, made on the server with ReportLab (BSD licence, pure Python).

Only the PDF standard fonts (Helvetica) are used: every PDF reader has them, nothing is embedded or fetched.
They cover Latin-1 and the Windows-1252 punctuation; any other character is written as "?". Black text and
grey rules only, so that the brief reads the same printed in black and white: what rests on illustrative
links is said in words, never by a colour. A brief that would run over one page is cut (each cut says how
many rows are left out) until it fits.
"""

from __future__ import annotations

import io
from typing import Final
from urllib.parse import quote
from xml.sax.saxutils import escape

from fastapi import APIRouter, Request
from fastapi.responses import Response
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from bpkg.app.services import onepager
from bpkg.app.services.onepager import OnePager, Section
from bpkg.app.web.rendering import Page, PageNodeId, PageRoute, html_errors

router = APIRouter(include_in_schema=False, route_class=PageRoute)

FEWEST: Final = 3
"""The fewest rows a cut table keeps."""

_BASE = getSampleStyleSheet()
TITLE: Final = ParagraphStyle("title", parent=_BASE["Title"], fontSize=17, leading=21, alignment=0, spaceAfter=2)
SUBTITLE: Final = ParagraphStyle("subtitle", parent=_BASE["Normal"], fontSize=9.5, leading=12, spaceAfter=6)
HEADING: Final = ParagraphStyle(
    "heading", parent=_BASE["Heading2"], fontSize=11.5, leading=14, spaceBefore=7, spaceAfter=3
)
BODY: Final = ParagraphStyle("body", parent=_BASE["Normal"], fontSize=9, leading=11.5)
CELL: Final = ParagraphStyle("cell", parent=BODY, fontSize=8, leading=9.8)
HEAD_CELL: Final = ParagraphStyle("head", parent=CELL, fontName="Helvetica-Bold")
SMALL: Final = ParagraphStyle("small", parent=BODY, fontSize=7.5, leading=9.3)
MOST_ON_A_PAGE: Final = int((A4[1] - 28 * mm) / CELL.leading) + 1
"""More table rows than one A4 page's height holds at a cell's leading (78), for rows with a line of text in some cell
(every brief's rows have one: a responder's kind, an action point's number): a brief cut to more can never fit, so
none is laid out (a busy action point's table has tens of thousands of rows: minutes of layout)."""


def text(value: str) -> str:
    """Data as Paragraph text: markup escaped, characters outside the standard fonts' set written as "?"."""
    return escape(value.encode("cp1252", errors="replace").decode("cp1252"))


def _table(section: Section, width: float) -> Table:
    data = [[Paragraph(text(h), HEAD_CELL) for h in section.header]]
    data += [[Paragraph(text(c), CELL) for c in r] for r in section.rows]
    shares = section.widths or tuple(1 / len(section.header) for _ in section.header)
    table = Table(data, colWidths=[width * share for share in shares], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 2),
                ("RIGHTPADDING", (0, 0), (-1, -1), 4),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
            ]
        )
    )
    return table


def _story(brief: OnePager, width: float) -> list[Flowable]:
    story: list[Flowable] = [Paragraph(text(brief.title), TITLE), Paragraph(text(brief.subtitle), SUBTITLE)]
    facts = Table(
        [[Paragraph(f"<b>{text(k)}</b>", BODY), Paragraph(text(v), BODY)] for k, v in brief.facts],
        colWidths=[width * 0.3, width * 0.7],
    )
    facts.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.8, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    story.append(facts)
    for section in brief.sections:
        part: list[Flowable] = [Paragraph(text(section.heading), HEADING)]
        if not section.rows:
            part.append(Paragraph("None.", BODY))
        elif section.header:
            part.append(_table(section, width))
        else:
            part += [Paragraph(text(" ".join(r)), BODY) for r in section.rows]
        if section.more:
            part.append(Paragraph(text(section.more) + ".", SMALL))
        story.append(KeepTogether(part))
    story.append(Paragraph("What rests on illustrative links", HEADING))
    story.append(Paragraph(text(brief.illustrative), BODY))
    sources = brief.sources or ["none recorded"]
    listed: list[Flowable] = [Paragraph("Sources", HEADING)]
    listed += [Paragraph(text(f"{i}. {s}"), SMALL) for i, s in enumerate(sources, 1)]
    if brief.more_sources:
        listed.append(Paragraph(text(brief.more_sources) + ".", SMALL))
    story.append(KeepTogether(listed))
    story += [Spacer(1, 4), Paragraph(text(brief.footer), SMALL)]
    return story


def _render(brief: OnePager) -> tuple[bytes, int]:
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=16 * mm,
        rightMargin=16 * mm,
        topMargin=14 * mm,
        bottomMargin=14 * mm,
        title=brief.title,
        subject=brief.subtitle,
        author="Budapest Process traceability graph",
        creator="bpkg",
    )
    doc.build(_story(brief, doc.width))
    return out.getvalue(), doc.page


def pdf(brief: OnePager) -> bytes:
    """The brief as a one-page A4 PDF: whole if it fits, else with the most table rows that fit (found by
    halving; each cut table says how many rows it leaves out)."""
    most = min(max([len(s.rows) for s in brief.sections] + [len(brief.sources), 1]), MOST_ON_A_PAGE)
    made, pages = _render(brief.cut(most))
    if pages == 1:
        return made
    fits, low, high = None, FEWEST, most - 1
    while low <= high:
        rows = (low + high) // 2
        tried, pages = _render(brief.cut(rows))
        if pages == 1:
            fits, low = tried, rows + 1
        else:
            high = rows - 1
    # Even the fewest rows may not fit (very long names): the shortest brief, over more than one page.
    return fits if fits is not None else _render(brief.cut(FEWEST))[0]


def _file(brief: OnePager) -> Response:
    return Response(
        pdf(brief),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{quote(brief.file_name)}"'},
    )


@router.get("/view/node/{node_id}/brief.pdf")
@html_errors
def action_point_brief(request: Request, node_id: PageNodeId) -> Response:
    """An action point's one-page brief as a PDF."""
    return _file(onepager.action_point(Page(request).store, node_id))


@router.get("/view/country/{code}/brief.pdf")
@html_errors
def country_brief(request: Request, code: PageNodeId) -> Response:
    """A country's one-page brief as a PDF."""
    return _file(onepager.country_brief(Page(request).store, code))

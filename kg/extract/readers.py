"""Read a document file into plain text: UTF-8 text, Markdown, HTML or PDF.

Every later step works on the text returned here, and every quote and offset in
a candidate points into it. For ``.txt`` and ``.md`` files that is the file's own
text, character for character; for HTML it is the visible text of the page body
(scripts, navigation, headers, footers, sidebars and share/comment boxes dropped);
for PDF it is the text layer, page after page, with hard line wraps inside a
paragraph joined.

Bad input never half-works: an empty file, a binary file, a file that is not
UTF-8 (GBK is the usual suspect) or a PDF without a text layer raises
``ReadError`` with the file name and what to do about it.

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "a.html"
>>> _ = p.write_text("<html><nav>首页 | 关于</nav><p>研发在武汉、生产在鄂州。</p>"
...                  "<footer>版权所有</footer></html>", encoding="utf-8")
>>> read_document(p).text
'研发在武汉、生产在鄂州。'
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

TEXT_SUFFIXES = {".txt", ".text", ".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
PDF_SUFFIXES = {".pdf"}
MAX_MB = 100  # a plan or article is well under this; larger files are refused, not half-read

# Elements and class/id words that are page furniture rather than the article.
_FURNITURE_TAGS = ["script", "style", "noscript", "nav", "header", "footer", "aside", "form",
                   "iframe", "svg", "button", "select", "template"]
_FURNITURE_WORDS = re.compile(
    r"(^|[-_\s])(nav|navbar|menu|footer|header|sidebar|side-bar|breadcrumbs?|comments?|share|"
    r"social|copyright|advert|ads?|banner|related|recommend|toolbar|login|qrcode|pager)([-_\s]|$)",
    re.I)
_BLOCK_TAGS = {"p", "div", "section", "article", "main", "li", "ul", "ol", "h1", "h2", "h3",
               "h4", "h5", "h6", "br", "tr", "table", "blockquote", "pre", "dd", "dt", "figcaption"}
_CJK = r"\u3400-\u9fff\uf900-\ufaff"


class ReadError(ValueError):
    """A file that cannot be read as a document; the message says which and why."""


@dataclass(frozen=True)
class Document:
    doc_id: str      # the file name: the source_id that provenance cites
    path: Path
    text: str
    fmt: str         # text / html / pdf
    title: str = ""  # <title>, PDF metadata or the first line: a default for sources.csv

    @property
    def stem(self) -> str:
        return Path(self.doc_id).stem


def read_document(path, encoding: str = "utf-8", max_mb: float = MAX_MB) -> Document:
    """Read ``path`` (by its suffix) into a ``Document``; raises ``ReadError``."""
    path = Path(path)
    if not path.is_file():
        raise ReadError(f"{path}: no such file")
    size = path.stat().st_size
    if size > max_mb * 1024 * 1024:
        raise ReadError(f"{path}: {size:,} bytes is larger than the {max_mb:g} MB limit "
                        f"(raise it with --max-mb, or split the file)")
    suffix = path.suffix.lower()
    title = ""
    if suffix in PDF_SUFFIXES:
        text, fmt = _read_pdf(path), "pdf"
    else:
        raw = path.read_bytes()
        if raw.startswith(b"%PDF-"):
            text, fmt = _read_pdf(path), "pdf"
        else:
            text = _decode(path, raw, encoding)
            if suffix in HTML_SUFFIXES or (suffix not in TEXT_SUFFIXES and _looks_like_html(text)):
                m = re.search(r"<title[^>]*>(.*?)</title>", text[:20000], re.I | re.S)
                title = re.sub(r"\s+", " ", m.group(1)).strip() if m else ""
                text, fmt = _html_text(text), "html"
            else:
                fmt = "text"
    if not text.strip():
        raise ReadError(f"{path}: the file is empty" if size == 0 or fmt == "text"
                        else f"{path}: no text found in this {fmt} file")
    if not title:
        first = next((line.strip().lstrip("#").strip() for line in text.splitlines() if line.strip()), "")
        title = first[:80]
    return Document(path.name, path, text, fmt, title)


def read_devset_document(path) -> Document:
    """A development-set file: line 1 ``SOURCE: <url> | <title>``, the text from line 2.

    The document's text is the body only, so offsets count from the start of line 2.
    """
    doc = read_document(path)
    first, _, body = doc.text.partition("\n")
    if not first.startswith("SOURCE:") or not body.strip():
        raise ReadError(f"{doc.path}: line 1: expected 'SOURCE: <url> | <title>' and a text from line 2")
    title = first.split("|", 1)[1].strip() if "|" in first else ""
    return Document(doc.doc_id, doc.path, body, doc.fmt, title)


def _decode(path: Path, raw: bytes, encoding: str) -> str:
    head = raw[:65536]
    if b"\x00" in head:
        raise ReadError(f"{path}: binary file (NUL bytes), not a text document")
    try:
        text = raw.decode("utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8")
                          else encoding)
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        hint = ""
        if encoding.lower() in ("utf-8", "utf8"):
            try:
                raw.decode("gb18030")
                hint = "; it decodes as GBK/GB18030: pass --encoding gbk, or convert it first " \
                       "(iconv -f GBK -t UTF-8)"
            except UnicodeDecodeError:
                hint = "; it is not text in any encoding tried (binary?)"
        raise ReadError(f"{path}: line {line}: not valid {encoding} (byte {exc.start}){hint}") \
            from None
    except LookupError:
        raise ReadError(f"unknown encoding {encoding!r}") from None
    controls = sum(1 for ch in text[:65536] if ord(ch) < 32 and ch not in "\t\n\r\f\v")
    if controls > 0.01 * min(len(text), 65536):
        raise ReadError(f"{path}: binary file (control characters), not a text document")
    return text


def _looks_like_html(text: str) -> bool:
    return bool(re.match(r"\s*(<!doctype html|<html|<head|<body)", text[:1000], re.I))


def _html_text(html: str) -> str:
    """The visible article text of an HTML page, one block per line."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(_FURNITURE_TAGS):
        tag.decompose()
    for tag in soup.find_all(True):
        if tag.attrs is None:  # already removed with a furniture parent
            continue
        words = " ".join([*tag.get("class", []), tag.get("id", "") or "", tag.get("role", "") or ""])
        if words.strip() and _FURNITURE_WORDS.search(words):
            tag.decompose()
    body = soup.body or soup
    for tag in body.find_all(_BLOCK_TAGS):
        tag.insert_before("\n")
        tag.insert_after("\n")
    lines = (re.sub(r"[ \t\u3000\xa0]+", " ", line).strip() for line in body.get_text().splitlines())
    return "\n".join(line for line in lines if line)


def _read_pdf(path: Path) -> str:
    """The text layer of a PDF; hard line wraps inside paragraphs are joined."""
    import logging

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted:
            try:
                reader.decrypt("")
            except Exception:
                raise ReadError(f"{path}: encrypted PDF; decrypt it first") from None
        pages = [page.extract_text() or "" for page in reader.pages]
    except ReadError:
        raise
    except (PdfReadError, Exception) as exc:  # pypdf raises many kinds on broken files
        raise ReadError(f"{path}: not a readable PDF ({type(exc).__name__}: {exc})") from None
    text = "\n".join(_unwrap(p) for p in pages)
    if not text.strip():
        raise ReadError(f"{path}: the PDF has no text layer (scanned pages?); run OCR first")
    return text


def _unwrap(page: str) -> str:
    """Join a line break between two CJK characters unless the line ends a sentence.

    PDF text layers break lines at the page margin, in the middle of sentences.
    """
    page = re.sub(rf"(?<=[{_CJK}，、,])[ \t]*\n[ \t]*(?=[{_CJK}])", "", page)
    return page.strip()

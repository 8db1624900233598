"""citykg extract: readers, script conversion, gazetteer, place disambiguation, patterns, CLI."""
from __future__ import annotations

import json

import pytest

from kg.extract.candidates import MENTIONS, read_jsonl
from kg.extract.readers import ReadError, read_document
from kg.extract.script import to_simplified
from pathlib import Path

TEXTS = Path(__file__).parent / "texts"
TRADITIONAL = TEXTS / "trad_sample.txt"        # written for the tests, traditional script


def make_pdf(lines: list[str]) -> bytes:
    """A one-page PDF whose text layer holds ``lines`` (CJK through a ToUnicode map)."""
    chars = sorted({ch for line in lines for ch in line})
    bfchar = "".join(f"<{ord(c):04X}> <{ord(c):04X}>\n" for c in chars)
    cmap = ("/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n/CMapName /Uni def "
            "/CMapType 2 def\n1 begincodespacerange <0000> <FFFF> endcodespacerange\n"
            f"{len(chars)} beginbfchar\n{bfchar}endbfchar\nendcmap CMapName currentdict /CMap "
            "defineresource pop end end")
    content = "BT /F1 12 Tf 14 TL 72 720 Td " + " ".join(
        "<" + "".join(f"{ord(c):04X}" for c in line) + "> Tj T*" for line in lines) + " ET"
    objs = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >>"
        " /Contents 5 0 R >>",
        "<< /Type /Font /Subtype /Type0 /BaseFont /Song /Encoding /Identity-H /DescendantFonts [6 0 R]"
        " /ToUnicode 7 0 R >>",
        f"<< /Length {len(content.encode())} >>\nstream\n{content}\nendstream",
        "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /Song /CIDSystemInfo << /Registry (Adobe)"
        " /Ordering (Identity) /Supplement 0 >> /FontDescriptor 8 0 R >>",
        f"<< /Length {len(cmap.encode())} >>\nstream\n{cmap}\nendstream",
        "<< /Type /FontDescriptor /FontName /Song /Flags 4 /FontBBox [0 0 1000 1000] /ItalicAngle 0"
        " /Ascent 880 /Descent -120 /CapHeight 700 /StemV 80 >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n{body}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{o:010d} 00000 n \n" for o in offsets).encode()
    out += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


@pytest.fixture(scope="module")
def extractor(graph):
    from kg.extract.pipeline import Extractor, source_years
    from kg.paths import DATA

    return Extractor(graph, source_years=source_years(DATA))


# --- readers and bad input -------------------------------------------------------------------

def test_html_drops_page_furniture(tmp_path):
    page = tmp_path / "p.html"
    page.write_text("<html><head><title>武汉都市圈</title><script>var x='上海';</script></head><body>"
                    "<nav>首页 上海 北京</nav><div class='share-bar'>分享到微博</div>"
                    "<article><p>研发在武汉、生产在鄂州。</p><p>总部在武汉、基地在孝感。</p></article>"
                    "<div id='comments'>评论列表 共有 0 条评论</div><footer>版权所有 深圳</footer></body></html>",
                    encoding="utf-8")
    doc = read_document(page)
    assert doc.text == "研发在武汉、生产在鄂州。\n总部在武汉、基地在孝感。"
    assert doc.title == "武汉都市圈" and doc.fmt == "html"


def test_pdf_text_layer_is_read_and_unwrapped(tmp_path):
    pdf = tmp_path / "plan.pdf"
    pdf.write_bytes(make_pdf(["这种关系体现为「研发在武汉、生产在", "鄂州」的功能疏解模式。"]))
    assert read_document(pdf).text == "这种关系体现为「研发在武汉、生产在鄂州」的功能疏解模式。"


def test_pdf_without_text_layer_is_refused(tmp_path):
    pdf = tmp_path / "scan.pdf"
    pdf.write_bytes(make_pdf([]))
    with pytest.raises(ReadError, match="no text layer"):
        read_document(pdf)


@pytest.mark.parametrize("name, content, message", [
    ("empty.txt", b"", "empty"),
    ("blank.md", b"  \n\n ", "empty"),
    ("image.txt", bytes(range(256)) * 40, "binary"),
    ("gbk.txt", "研发在武汉、生产在鄂州。".encode("gbk"), "GBK"),
    ("broken.pdf", b"%PDF-1.4\nnot really a pdf", "not a readable PDF"),
])
def test_bad_input_gives_a_clear_message(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ReadError, match=message) as exc:
        read_document(path)
    assert name in str(exc.value)


def test_gbk_file_reads_when_told(tmp_path):
    path = tmp_path / "gbk.txt"
    path.write_bytes("研发在武汉、生产在鄂州。".encode("gbk"))
    assert read_document(path, encoding="gbk").text == "研发在武汉、生产在鄂州。"


def test_size_limit(tmp_path):
    path = tmp_path / "big.txt"
    path.write_text("武汉" * 400_000, encoding="utf-8")   # 2.4 MB
    with pytest.raises(ReadError, match="larger than the 1 MB limit"):
        read_document(path, max_mb=1)


# --- script -----------------------------------------------------------------------------------

def test_simplified_copy_keeps_every_offset():
    text = TRADITIONAL.read_text(encoding="utf-8")
    simp = to_simplified(text)
    assert len(simp) == len(text)
    i = simp.index("黑龙江省哈尔滨市")
    assert text[i:i + 8] == "黑龍江省哈爾濱市"
    # punctuation and digits never move
    assert all(a == b for a, b in zip(text, simp) if not "\u3400" <= a <= "\u9fff")


# --- recognition against the graph -----------------------------------------------------------

def test_gazetteer_short_forms_and_longest_match(extractor):
    rec = extractor.recognizer
    ents = rec.recognize("长三角和大湾区的鄂州,以上海为核心的上海大都市圈")
    found = [(e.surface, e.id) for e in ents]
    assert ("长三角", "cluster:yangtze-river-delta") in found
    assert ("大湾区", "cluster:pearl-river-delta") in found
    assert ("鄂州", "420700") in found
    assert ("上海大都市圈", "metro:shanghai") in found      # not 上海 + 都市圈
    assert ("上海", "310000") in found


def test_ambiguous_places_resolved_by_context_or_left_open(extractor):
    rec = extractor.recognizer
    alone = [e for e in rec.recognize("鼓楼区的发展很快。") if e.surface == "鼓楼区"][0]
    assert alone.id is None and len(alone.ids) == 4 and alone.confidence < 0.5
    assert {"320106", "320302", "350102", "410204"} == set(alone.ids)
    nearby = [e for e in rec.recognize("福州市鼓楼区的发展很快。") if e.surface == "鼓楼区"][0]
    assert nearby.id == "350102"
    sentence = [e for e in rec.recognize("南京的老城区里,鼓楼区发展很快。") if e.surface == "鼓楼区"][0]
    assert sentence.id == "320106"
    putuo = [e for e in rec.recognize("舟山是海岛城市。舟山的旅游很有名。普陀区的渔业发达。")
             if e.surface == "普陀区"][0]
    assert putuo.id == "330903" and putuo.reason == "dominant region of the document"


def test_word_boundaries_and_generic_words(extractor):
    rec = extractor.recognizer
    text = "沿东北海岸线绵延,中小城市和县城,如果把城市群当成都市圈来治理,半数以上城区,中心城区"
    assert [e.surface for e in rec.recognize(text) if e.is_place] == []


def test_industry_words_need_an_industry_context(extractor):
    rec = extractor.recognizer
    assert not [e for e in rec.recognize("推动教育、医疗、社保等基本公共服务。") if e.label == "Industry"]
    assert [e.id for e in rec.recognize("费城以医疗教育见长。") if e.label == "Industry"] == ["industry:healthcare"]


def test_every_documented_pattern_reads_its_example(graph):
    from kg.extract.patterns import PATTERNS, find_relations
    from kg.extract.template import Context, make_sent
    from kg.extract.recognize import Recognizer
    from kg.extract.script import to_simplified
    from kg.extract.sentences import split_sentences

    rec = Recognizer(graph)
    for p in PATTERNS:
        text = to_simplified(p.example)
        sentences = split_sentences(text)
        ents = rec.recognize(text, sentences)
        ctx, hits = Context(), []
        for i, s in enumerate(sentences):
            sent = make_sent(i, s.start, s.end, s.para, text, ents)
            hits += find_relations(sent, ctx)
            ctx.update(sent)
        got = {(h.head.surface, h.tail.surface) for h in hits if h.pattern == p.id}
        assert p.expect in got, (p.id, got)


# --- the pipeline -----------------------------------------------------------------------------

def test_candidates_quote_the_original_characters(extractor):
    cands = extractor.extract(TRADITIONAL)
    text = TRADITIONAL.read_text(encoding="utf-8")
    assert cands
    for c in cands:
        assert text[c.start:c.end] == c.sentence
        for end in (c.head, c.tail):
            if end is not None and end.start is not None:
                assert text[end.start:end.end] == end.surface
    hlj = [c for c in cands if c.type == MENTIONS and c.tail.id == "230000"]
    assert hlj and hlj[0].tail.surface == "黑龍江省"         # traditional, as written


def test_wuhan_spillover_with_provenance(extractor, tmp_path):
    path = tmp_path / "spill.txt"
    path.write_text("武汉的分工很清楚。研发在武汉、生产在鄂州。总部在武汉、基地在孝感。\n"
                    "创新在上海、制造在苏浙皖。\n2023年,昆山市常住人口增至211万人。", encoding="utf-8")
    cands = extractor.extract(path)
    spill = {(c.head.id, c.tail.id): c for c in cands if c.type == "SPILLOVER_TO"}
    c = spill[("420100", "420700")]
    assert c.properties["function"] == "研发→生产" and c.pattern == "spill.pair"
    assert "研发在武汉、生产在鄂州" in c.sentence and c.doc_id == "spill.txt"
    assert spill[("420100", "420900")].properties["function"] == "总部→基地"
    assert {("310000", p) for p in ("320000", "330000", "340000")} <= set(spill)   # 苏浙皖
    stats = {(c.head.id, c.properties["indicator"]): c for c in cands if c.type == "STATISTIC"}
    assert stats[("320583", "population")].properties["value"] == 211.0
    assert stats[("320583", "population")].year == 2023


def test_extraction_is_deterministic(extractor, tmp_path):
    from kg.extract.candidates import write_jsonl

    path = TEXTS / "metro_sample.txt"
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    write_jsonl(extractor.extract(path), a)
    write_jsonl(extractor.extract(path), b)
    assert a.read_bytes() == b.read_bytes()
    ids = [json.loads(line)["id"] for line in a.read_text(encoding="utf-8").splitlines()]
    assert len(ids) == len(set(ids))


def test_cli_extract_writes_nothing_when_a_file_is_bad(tmp_path):
    from typer.testing import CliRunner

    from kg.cli import app

    good, bad, out = tmp_path / "good.txt", tmp_path / "bad.txt", tmp_path / "c.jsonl"
    good.write_text("研发在武汉、生产在鄂州。", encoding="utf-8")
    bad.write_bytes("研发在武汉".encode("gbk"))
    result = CliRunner().invoke(app, ["extract", str(good), str(bad), "--out", str(out)])
    assert result.exit_code == 1 and "bad.txt" in result.output and "GBK" in result.output
    assert not out.exists() and not list(tmp_path.glob(".c.jsonl*"))
    result = CliRunner().invoke(app, ["extract", str(good), "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = [c for _, c, _ in read_jsonl(out)]
    assert any(c.type == "SPILLOVER_TO" and c.head.id == "420100" and c.tail.id == "420700"
               for c in rows)


@pytest.mark.slow
def test_a_50_mb_file_streams_through(tmp_path):
    """50 MB of text (the test texts over and over) extracts in one run, in about a minute."""
    from typer.testing import CliRunner

    from kg.cli import app

    # the test texts, diluted with plain prose to about the candidate density of an article
    corpus = "".join(p.read_text(encoding="utf-8") for p in sorted(TEXTS.glob("*.txt"))) + \
        "\n" + "城市的发展需要长期的规划和足够的耐心,也需要一代又一代人的努力。" * 150 + "\n"
    big, out = tmp_path / "big.txt", tmp_path / "big.jsonl"
    chunk = corpus.encode("utf-8")
    with open(big, "wb") as fh:
        for _ in range(50 * 1024 * 1024 // len(chunk) + 1):
            fh.write(chunk)
    assert big.stat().st_size > 50 * 1024 * 1024
    result = CliRunner().invoke(app, ["extract", str(big), "--out", str(out)])
    assert result.exit_code == 0, result.output
    first = json.loads(out.open(encoding="utf-8").readline())
    assert first["doc_id"] == "big.txt"
    assert sum(1 for _ in out.open(encoding="utf-8")) > 50_000

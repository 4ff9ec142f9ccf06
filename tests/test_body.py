"""An article's HTML holds a dump's text as text, whatever the text is."""

from __future__ import annotations

from datetime import UTC, datetime

import lxml.html
from hypothesis import given, settings
from hypothesis import strategies as st

from feeds.model import NO_SIDEBARS, Block, Entry
from feeds.render.body import body_html
from feeds.text import clean

MARKUP = st.sampled_from(["<script>alert(1)</script>", "<b onclick='x()'>", "</p>", "&amp;",
                          "&", "<", ">", '"', "'", "<!--", "-->", "]]>", "<h3>", "/", " "])
TEXT = st.lists(st.one_of(MARKUP, st.text(max_size=8)), min_size=1, max_size=12).map(
    lambda pieces: clean("".join(pieces))).filter(bool)


@settings(max_examples=300, deadline=None)
@given(caption=st.one_of(st.none(), TEXT), blocks=st.lists(st.tuples(TEXT, st.booleans()),
                                                            min_size=1, max_size=5))
def test_only_our_own_tags_and_every_text_as_it_was(caption: str | None,
                                                    blocks: list[tuple[str, bool]]) -> None:
    entry = Entry("Judul", "Dunia", datetime(2025, 5, 30, 9, 1, tzinfo=UTC), None, caption,
                  tuple(Block(text, sub) for text, sub in blocks), NO_SIDEBARS, "x.txt")
    tree = lxml.html.fromstring(f"<div>{body_html(entry)}</div>")
    elements = list(tree.iter())[1:]
    assert {e.tag for e in elements} <= {"p", "h3", "figure", "figcaption", "small"}
    assert not any(e.attrib for e in elements)
    paragraphs = [e for e in elements if e.tag in ("p", "h3")]
    assert [(e.text_content(), e.tag == "h3") for e in paragraphs] == blocks
    if caption:
        (figcaption,) = tree.iter("figcaption")
        credit = entry.caption_credit
        expected = (entry.caption_text or caption) + (f" (Foto: {credit})" if credit else "")
        assert figcaption.text_content() == expected

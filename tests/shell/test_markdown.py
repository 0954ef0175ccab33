"""People's Markdown: bare URLs become links (linkify), nothing unsafe gets through."""

from __future__ import annotations

from tierslieu.markdown import render

EDUSCOL = "https://eduscol.education.fr/document/30010/download?attachment=programme-nsi-premiere.pdf"


def test_a_bare_url_in_a_post_becomes_a_link() -> None:
    html = render(f"Le programme est ici : {EDUSCOL} (page 3).")
    assert f'<a href="{EDUSCOL}" rel="nofollow ugc noopener">{EDUSCOL}</a>' in html.replace("&amp;", "&")


def test_a_www_address_becomes_a_link_too() -> None:
    assert 'href="http://www.example.org"' in render("Voir www.example.org pour les détails.")


def test_urls_in_code_and_other_schemes_stay_text() -> None:
    html = render("`https://code.example.org` et javascript:alert(1)")
    assert "<a" not in html
    assert "<code>https://code.example.org</code>" in html

"""exchange/pdf/__init__.py imports ReportLab's platypus with its one slow pattern deferred."""

from tests.child import child_output


def test_platypus_is_imported_with_the_link_pattern_deferred_and_re_compile_left_as_it_was():
    script = (
        "import re\n"
        "before = re.compile\n"
        "import yibao_desktop.exchange.pdf.report\n"
        "import reportlab.platypus.paragraph as p\n"
        "print(re.compile is before, type(p.uri_pat).__name__, p.uri_pat._compiled is None)\n"
        "print(bool(p.uri_pat.match('https://example.com/a?b=1')), bool(p.uri_pat.match('no link')),\n"
        "      p.uri_pat.pattern == p.uri_pat._compiled.pattern, bool(p.uri_pat.flags & re.IGNORECASE))\n"
        "print(re.compile('[a-z]+', re.I).__class__ is re.Pattern)\n")
    assert child_output(script) == ["True _Deferred True", "True False True True", "True"]

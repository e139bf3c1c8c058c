"""The one JSON writer takes orjson's fast path only for values it writes byte for byte as
json.dumps does (json_output._orjson_writes_it_alike), on random documents."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from progress_cli import json_output
from progress_cli.json_output import to_json

scalars = st.one_of(st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.text(max_size=12), st.just("\ud800x"),
                    st.floats(allow_nan=True, allow_infinity=True), st.floats(1e-6, 1e18), st.floats(-1e5, 1e5))
documents = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                         st.dictionaries(st.text(max_size=6), inner, max_size=4)),
                         max_leaves=30)


@settings(max_examples=400, deadline=None)
@given(doc=documents)
def test_the_fast_path_writes_what_json_dumps_writes(doc):
    for options in ({"indent": 2}, {"indent": None, "compact": True}):
        separators = (",", ":") if options.get("compact") else None
        try:
            expected = json.dumps(doc, ensure_ascii=False, indent=options["indent"], separators=separators,
                                  allow_nan=False)
        except (ValueError, TypeError):
            assert not json_output._orjson_writes_it_alike(doc)  # NaN or inf: refused, never printed
            continue
        assert to_json(doc, **options) == expected


def test_small_and_huge_numbers_and_other_types_take_json_dumps():
    assert to_json([1e-05, 1.5e16], indent=2) == "[\n  1e-05,\n  1.5e+16\n]"
    assert to_json({1: "int key", "n": 2**70}, indent=2) == '{\n  "1": "int key",\n  "n": 1180591620717411303424\n}'
    assert json_output._orjson_writes_it_alike({"learners": [{"risk": 0.25, "reasons": ["x"], "at_risk": False}]})

"""Recall / false-alteration on the seeded synthetic corpus (numbers quoted in the report)."""

from __future__ import annotations

import json

from .corpus import measure


def test_corpus_recall_and_negatives() -> None:
    result = measure()
    print("\nprivacy corpus:", json.dumps(result, ensure_ascii=False, indent=1))
    assert result["documents"] >= 400 and result["negatives"] >= 2000
    for kind in ("id18", "mobile", "bankcard", "address", "landline"):
        assert result["positives"][kind] >= 300, kind
    for key, recall in result["recall_by_format"].items():
        assert recall >= 0.995, (key, recall, result["first_misses"])
    assert result["negatives_altered"] <= 0.01
    for cls, share in result["negatives_altered_by_class"].items():
        assert share <= 0.01, cls

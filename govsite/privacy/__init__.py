"""Personal-information detection and masking (rulebook §14, PRIV-001..007).

Pure Python, no Pelican dependency. Public API:

- ``find_pii`` / ``PiiMatch`` (detect), ``bench_throughput``
- ``MaskPolicy`` / ``DEFAULT_POLICY``, ``mask_text``, ``mask_html``, ``mask_markdown``,
  ``is_masked_*`` validators (mask)
- ``scan_attachment``, ``write_masked_copy``, ``AttachmentHit``, ``AttachmentError`` (attachments)
- ``strip_image_metadata``, ``has_gps`` (images)
- ``mask_stream``, ``scan_paths`` (cli)
"""

from govsite.privacy.attachments import AttachmentError, AttachmentHit, scan_attachment, write_masked_copy
from govsite.privacy.cli import mask_stream, scan_paths
from govsite.privacy.detect import KIND_LABELS, PiiMatch, bench_throughput, find_pii
from govsite.privacy.images import has_gps, strip_image_metadata
from govsite.privacy.mask import (
    apply_matches,
    is_masked_card,
    is_masked_id,
    is_masked_landline,
    is_masked_mobile,
    mask_html,
    mask_markdown,
    mask_text,
    masked_form_ok,
)
from govsite.privacy.policy import DEFAULT_POLICY, MaskPolicy, normalize_phone

__all__ = [
    "DEFAULT_POLICY",
    "KIND_LABELS",
    "AttachmentError",
    "AttachmentHit",
    "MaskPolicy",
    "PiiMatch",
    "apply_matches",
    "bench_throughput",
    "find_pii",
    "has_gps",
    "is_masked_card",
    "is_masked_id",
    "is_masked_landline",
    "is_masked_mobile",
    "mask_html",
    "mask_markdown",
    "mask_stream",
    "mask_text",
    "masked_form_ok",
    "normalize_phone",
    "scan_attachment",
    "scan_paths",
    "strip_image_metadata",
    "write_masked_copy",
]

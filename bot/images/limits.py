"""What each platform accepts for one image and its alt text.

Pure data, no imports beyond typing.  The lead engineer will move :data:`IMAGE_LIMITS`
into the project's platform table; until then the image code reads it from here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypedDict


class ImageLimits(TypedDict):
    alt_text_chars: int  # longest alt text, in characters (code points: see below)
    image_bytes: int  # largest image file accepted, in bytes
    max_side_px: int | None  # longest side the platform keeps without downscaling, if known


# ============================================================================== IMAGE_LIMITS
# Per-platform image and alt-text limits.  Sources (checked 2025/2026):
#
# x
#   alt_text_chars 1000: POST media/metadata/create, request body
#     '"alt_text": {"text": "dancing cat"} // Must be <= 1000 chars'
#     https://developer.x.com/en/docs/media/upload-media/api-reference/post-media-metadata-create
#     (the v2 endpoint POST /2/media/metadata takes the same alt_text object:
#     https://docs.x.com/x-api/media/create-media-metadata)
#   image_bytes 5 MB: "Size restrictions for uploading via API - Image: 5 MB"
#     https://docs.x.com/x-api/media  (5,000,000 taken, the stricter reading of "MB")
#
# mastodon (defaults; an instance can change both)
#   alt_text_chars 1500: app/models/media_attachment.rb,
#     MAX_DESCRIPTION_LENGTH = 1_500 and validates :description, length: { maximum: ... }
#     https://github.com/mastodon/mastodon (raised from 420 in PR #11819)
#   image_bytes 16 MiB: same file, IMAGE_LIMIT = (ENV['MAX_IMAGE_SIZE'] || 16.megabytes)
#     (10 MB before Mastodon 4.2); mastodon.social's /api/v2/instance reports
#     configuration.media_attachments.image_size_limit = 16777216.
#   max_side_px: none that matters here (image_matrix_limit 33,177,600 pixels).
#
# bluesky
#   alt_text_chars 2000: the app's limit, MAX_ALT_TEXT = 2000 in social-app
#     src/lib/constants.ts (https://github.com/bluesky-social/social-app); the record
#     schema itself (lexicon app.bsky.embed.images, "alt": {"type": "string"}) sets none.
#   image_bytes 1,000,000: lexicon app.bsky.embed.images, image blob "maxSize": 1000000
#     https://github.com/bluesky-social/atproto/blob/main/lexicons/app/bsky/embed/images.json
#   max_side_px 2000: the app downscales post images to 2000 px
#     (IMAGE_SIZE_CONFIG_2K_1MB = {maxDimension: 2000, maxSize: 1000000}, same constants.ts).
#
# Counting: Mastodon (Ruby String#length) counts code points; Bluesky's app counts
# graphemes, never more than code points; X's count is undocumented.  Alt texts here are
# measured in code points (Python ``len``), which is never more lenient than any of them.
IMAGE_LIMITS: Mapping[str, ImageLimits] = {
    "x": {"alt_text_chars": 1000, "image_bytes": 5_000_000, "max_side_px": None},
    "mastodon": {"alt_text_chars": 1500, "image_bytes": 16 * 1024 * 1024, "max_side_px": None},
    "bluesky": {"alt_text_chars": 2000, "image_bytes": 1_000_000, "max_side_px": 2000},
}
# ==========================================================================================


def alt_text_limit(platform: str) -> int:
    """The alt-text limit for a platform; the strictest known one for any other name
    (``dry-run`` previews with it)."""
    limits = IMAGE_LIMITS.get(platform)
    if limits is not None:
        return limits["alt_text_chars"]
    return min(v["alt_text_chars"] for v in IMAGE_LIMITS.values())

"""How charts look: size, colours and type sizes.  Pure data (no matplotlib), so the
contrast test and the drawing read the same values.

Colours are checked by ``tests/test_images.py`` against WCAG 2.x: every text colour at
least 4.5:1 on the background, every bar colour at least 3:1 (non-text contrast).
"""

from __future__ import annotations

from typing import Final

WIDTH_PX: Final = 1200
HEIGHT_PX: Final = 675  # 16:9
DPI: Final = 100  # sizes below are in points; at 100 dpi one point is 1.39 px

# Palette.
BACKGROUND: Final = "#FFFFFF"
TEXT: Final = "#111827"  # titles, names, values
MUTED: Final = "#4B5563"  # subtitles, footers, secondary labels
HOLDER: Final = "#C2410C"  # the new record holder, the flight just ended (bar and text)
PREVIOUS: Final = "#1D4ED8"  # the previous record holder (bar and text)
OTHER: Final = "#7B8494"  # everyone else's bars
IN_SPACE: Final = "#047857"  # "in space" marks (text)
RULE: Final = "#7B8494"  # the baseline bars grow from (a graphical object: 3:1)

TEXT_COLOURS: Final = (TEXT, MUTED, HOLDER, PREVIOUS, IN_SPACE)
BAR_COLOURS: Final = (HOLDER, PREVIOUS, OTHER, RULE)

# Type sizes (points).
TITLE_PT: Final = 28.0
SUBTITLE_PT: Final = 18.0
LABEL_PT: Final = 17.0  # names and values beside bars
DETAIL_PT: Final = 14.0  # second lines (years), legend
FOOTER_PT: Final = 13.0
STAT_PT: Final = 34.0  # the big numbers of a mission chart
MIN_PT: Final = 11.0  # text is shrunk to fit down to this, then shortened

# Fonts: DejaVu Sans ships inside matplotlib (Latin with every diacritic, Greek,
# Cyrillic, Vietnamese), so the same glyphs are drawn everywhere.  The first CJK font
# found among these is added as a fallback (matplotlib >= 3.6 falls back per glyph).
FONT: Final = "DejaVu Sans"
CJK_FONTS: Final = (
    "Noto Sans CJK SC",  # Debian fonts-noto-cjk
    "Noto Sans CJK JP",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",  # Debian fonts-wqy-microhei
    "WenQuanYi Zen Hei",  # Debian fonts-wqy-zenhei
    "Droid Sans Fallback",  # Debian fonts-droid-fallback
)
# Where Debian puts them, for a matplotlib font cache built before they were installed.
CJK_FONT_FILES: Final = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
)

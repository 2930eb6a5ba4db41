"""Charts drawn as PNG with matplotlib's Agg renderer.

matplotlib is imported inside :func:`draw` only: importing this module costs nothing,
so a preview or a daily check with no chart to draw never loads it.  The daemon draws
with :func:`draw_apart`, in a short-lived child process: once loaded, matplotlib and
its fonts stay in a process (about 50 MiB, twice an idle daemon's memory), so a child
takes that and gives it back when the check's charts are drawn.

Output is deterministic: the same chart gives the same bytes on one installation (fixed
size, DPI, fonts and rc settings, no timestamp or software version in the PNG).  Fonts:
DejaVu Sans (shipped inside matplotlib) for every Latin, Greek and Cyrillic name, plus
the first CJK font installed (see :data:`bot.images.style.CJK_FONTS`) as a per-glyph
fallback; without one, CJK characters are drawn as empty boxes, never an error.
"""

from __future__ import annotations

import io
import logging
import math
import os
import warnings
from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from bot.images import style as s
from bot.images import words
from bot.images.charts import Bar, Chart, MissionChart, RecordChart, Span

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.backend_bases import RendererBase
    from matplotlib.text import Text

W, H = s.WIDTH_PX, s.HEIGHT_PX
MARGIN = 48
TITLE_Y = 64  # baselines, in pixels from the top
SUBTITLE_Y = 104
LEGEND_Y = 140
PLOT_TOP = 164
PLOT_BOTTOM = 606
FOOTER_Y = 651
TIMELINE_Y = 566  # the axis of a mission chart's timeline


def draw_each(charts: Sequence[Chart]) -> list[bytes | str]:
    """Each chart's PNG, or why it could not be drawn (a chart never stops the rest)."""
    out: list[bytes | str] = []
    for chart in charts:
        try:
            out.append(draw(chart))
        except Exception as exc:  # noqa: BLE001 - said to the caller, who posts the text
            out.append(f"{type(exc).__name__}: {exc}")
    return out


def draw_apart(charts: Sequence[Chart]) -> list[bytes | str]:
    """:func:`draw_each` in a fresh child process (spawned: safe beside the daemon's
    threads), which exits when done; nothing to draw starts no process."""
    if not charts:
        return []
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as child:
        return child.submit(draw_each, list(charts)).result()


def draw(chart: Chart) -> bytes:
    """The chart as a 1200 x 675 PNG."""
    fonts_log = logging.getLogger("matplotlib.font_manager")
    level = fonts_log.level
    # "Failed to find font weight bold for <a CJK font with one weight>": drawn regular.
    fonts_log.setLevel(max(level, logging.ERROR))
    try:
        return _draw(chart)
    finally:
        fonts_log.setLevel(level)


def _draw(chart: Chart) -> bytes:
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    with matplotlib.rc_context(), warnings.catch_warnings():
        matplotlib.rcdefaults()  # whatever the operator's matplotlibrc says
        params: Any = matplotlib.rcParams  # typed for literal keys only
        params.update(_rc())
        # A name in a script no installed font covers is drawn as boxes: say nothing.
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from", category=UserWarning)
        fig = Figure(figsize=(W / s.DPI, H / s.DPI), dpi=s.DPI, facecolor=s.BACKGROUND)
        canvas = FigureCanvasAgg(fig)
        ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
        ax.set_xlim(0, W)
        ax.set_ylim(H, 0)  # pixels from the top-left corner
        ax.set_axis_off()
        painter = _Painter(ax, canvas.get_renderer())  # type: ignore[no-untyped-call]
        if isinstance(chart, RecordChart):
            _draw_record(painter, chart)
        else:
            _draw_mission(painter, chart)
        out = io.BytesIO()
        fig.savefig(
            out, format="png", dpi=s.DPI, facecolor=s.BACKGROUND, metadata={"Software": None}
        )
        fig.clear()  # break the figure's reference cycles now, not at the next gc
    return out.getvalue()


def font_families() -> tuple[str, ...]:
    """The fonts charts are set in: DejaVu Sans, then a CJK fallback if one is installed."""
    return _font_families()


@lru_cache(maxsize=1)
def _font_families() -> tuple[str, ...]:
    from matplotlib import font_manager

    def installed() -> set[str]:
        return {f.name for f in font_manager.fontManager.ttflist}

    names = installed()
    if not any(n in names for n in s.CJK_FONTS):
        # The font cache may predate the font package: add the files themselves.
        for path in s.CJK_FONT_FILES:
            if os.path.exists(path):
                try:
                    font_manager.fontManager.addfont(path)
                except (OSError, RuntimeError, ValueError):  # pragma: no cover
                    continue
        names = installed()
    cjk = [n for n in s.CJK_FONTS if n in names][:1]
    return (s.FONT, *cjk)


def missing_glyphs(text: str) -> str:
    """The characters of ``text`` that no chart font can draw (each once, in order):
    ``""`` when the chart will show all of it.  Lets an operator check names in their
    own script before a chart draws them as boxes."""
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    fonts = [
        FT2Font(font_manager.findfont(font_manager.FontProperties(family=name)))
        for name in _font_families()
    ]
    missing: dict[str, None] = {}
    for char in text:
        if char.isspace() or char in missing:
            continue
        if not any(font.get_char_index(ord(char)) for font in fonts):
            missing[char] = None
    return "".join(missing)


def _rc() -> dict[str, Any]:
    return {
        "font.family": list(_font_families()),
        "font.size": s.LABEL_PT,
        "text.antialiased": True,
        "text.hinting": "force_autohint",
        "figure.dpi": s.DPI,
        "savefig.dpi": s.DPI,
        "path.snap": True,
    }


class _Painter:
    """Text and rectangles placed in pixels, text measured and fitted to a width."""

    def __init__(self, ax: Axes, renderer: RendererBase) -> None:
        self.ax = ax
        self.renderer = renderer

    def text(
        self,
        x: float,
        y: float,
        text: str,
        *,
        size: float,
        color: str = s.TEXT,
        bold: bool = False,
        ha: str = "left",
        va: str = "baseline",
        max_width: float | None = None,
        min_size: float = s.MIN_PT,
    ) -> Text:
        t = self.ax.text(
            x,
            y,
            text,
            fontsize=size,
            color=color,
            fontweight="bold" if bold else "normal",
            ha=ha,
            va=va,
        )
        if max_width is not None:
            self._fit(t, text, size, max(max_width, 1.0), min_size)
        return t

    def width(self, t: Text) -> float:
        return float(t.get_window_extent(self.renderer).width)

    def measure(self, text: str, *, size: float, bold: bool = False) -> float:
        t = self.text(0, 0, text, size=size, bold=bold)
        width = self.width(t)
        t.remove()
        return width

    def rect(self, x: float, y: float, width: float, height: float, color: str) -> None:
        from matplotlib.patches import Rectangle

        self.ax.add_patch(
            Rectangle((x, y), width, height, facecolor=color, edgecolor="none", linewidth=0)
        )

    def line(self, x0: float, y0: float, x1: float, y1: float, color: str, px: float) -> None:
        self.ax.plot([x0, x1], [y0, y1], color=color, linewidth=px * 72 / s.DPI)

    def _fit(self, t: Text, text: str, size: float, max_width: float, min_size: float) -> None:
        """Shrink to ``max_width`` down to ``min_size``; past that, drop words ("…")."""
        while self.width(t) > max_width and size > min_size:
            size = max(min_size, size - 1)
            t.set_fontsize(size)
        if self.width(t) <= max_width:
            return
        kept = text.split(" ")
        while len(kept) > 1 and self.width(t) > max_width:
            kept.pop()
            t.set_text(" ".join(kept).rstrip(" ,;:·") + words.ELLIPSIS)
        chars = t.get_text().removesuffix(words.ELLIPSIS)
        while len(chars) > 1 and self.width(t) > max_width:
            chars = chars[:-1]
            t.set_text(chars + words.ELLIPSIS)


# --------------------------------------------------------------------------- shared parts


def _header(p: _Painter, title: str, subtitle: str) -> None:
    p.text(MARGIN, TITLE_Y, title, size=s.TITLE_PT, bold=True, max_width=W - 2 * MARGIN)
    p.text(
        MARGIN, SUBTITLE_Y, subtitle, size=s.SUBTITLE_PT, color=s.MUTED, max_width=W - 2 * MARGIN
    )


def _footer(p: _Painter, instant: str, credit: str) -> None:
    left = p.text(MARGIN, FOOTER_Y, instant, size=s.FOOTER_PT, color=s.MUTED)
    room = W - 2 * MARGIN - p.width(left) - 32
    p.text(
        W - MARGIN, FOOTER_Y, credit, size=s.FOOTER_PT, color=s.MUTED, ha="right", max_width=room
    )


def _bar_colour(bar: Bar) -> str:
    return {"holder": s.HOLDER, "previous": s.PREVIOUS}.get(bar.role, s.OTHER)


def _value_label(p: _Painter, x: float, y: float, bar: Bar, size: float) -> None:
    """The value ("381 days"), then " · in space" in the in-space colour."""
    colour = {"holder": s.HOLDER, "previous": s.PREVIOUS}.get(bar.role, s.TEXT)
    value = p.text(x, y, bar.value, size=size, color=colour, bold=bar.highlighted, va="center")
    if bar.in_space:
        p.text(
            x + p.width(value),
            y,
            f" · {words.IN_SPACE}",
            size=size * 0.85,
            color=s.IN_SPACE,
            va="center",
        )


def _value_width(p: _Painter, bars: Sequence[Bar], size: float) -> float:
    widest = 0.0
    for bar in bars:
        width = p.measure(bar.value, size=size, bold=bar.highlighted)
        if bar.in_space:
            width += p.measure(f" · {words.IN_SPACE}", size=size * 0.85)
        widest = max(widest, width)
    return widest


# --------------------------------------------------------------------------- record


def _draw_record(p: _Painter, chart: RecordChart) -> None:
    subtitle = f"{chart.subtitle}. {chart.note}" if chart.note else chart.subtitle
    _header(p, chart.title, subtitle)
    _legend(p, chart.bars)

    rows: list[Bar | None] = list(chart.bars)
    if chart.gap_before is not None:
        rows.insert(chart.gap_before, None)
    n = max(len(rows), 1)
    row_h = min(52.0, (PLOT_BOTTOM - PLOT_TOP) / n)
    size = min(s.LABEL_PT, max(s.MIN_PT, row_h * 0.42))
    bar_h = row_h * 0.64
    top = PLOT_TOP + max(0.0, (PLOT_BOTTOM - PLOT_TOP - n * row_h) / 2)

    name_w = min(
        max((p.measure(b.label, size=size, bold=b.highlighted) for b in chart.bars), default=0.0),
        W * 0.36,
    )
    x0 = MARGIN + name_w + 16
    value_w = _value_width(p, chart.bars, size)
    span = W - MARGIN - x0 - value_w - 12
    longest = max((b.value_seconds for b in chart.bars), default=1) or 1

    for i, bar in enumerate(rows):
        cy = top + (i + 0.5) * row_h
        if bar is None:
            p.text(x0 - 16, cy, words.GAP, size=size, color=s.MUTED, ha="right", va="center")
            continue
        p.text(
            x0 - 16,
            cy,
            bar.label,
            size=size,
            bold=bar.highlighted,
            ha="right",
            va="center",
            max_width=name_w,
        )
        length = max(2.0, span * bar.value_seconds / longest)
        p.rect(x0, cy - bar_h / 2, length, bar_h, _bar_colour(bar))
        _value_label(p, x0 + length + 10, cy, bar, size)
    p.line(x0, top, x0, top + n * row_h, s.RULE, 1.5)
    _footer(p, chart.instant, chart.credit)


def _legend(p: _Painter, bars: Sequence[Bar]) -> None:
    entries = [(s.HOLDER, words.LEGEND_HOLDER)]
    if any(b.role == "previous" for b in bars):
        entries.append((s.PREVIOUS, words.LEGEND_PREVIOUS))
    x = float(MARGIN)
    box = 16.0
    for colour, label in entries:
        p.rect(x, LEGEND_Y - box + 2, box, box, colour)
        t = p.text(x + box + 8, LEGEND_Y, label, size=s.DETAIL_PT, color=s.MUTED)
        x += box + 8 + p.width(t) + 28


# --------------------------------------------------------------------------- mission


def _draw_mission(p: _Painter, chart: MissionChart) -> None:
    _header(p, chart.title, chart.subtitle)
    panel_x = W * 0.66  # stats to the right of this
    left_w = panel_x - 40 - MARGIN
    with_timeline = len(chart.timeline) > 1  # one flight: nothing to place in time
    top, bottom = PLOT_TOP - 8, (TIMELINE_Y - 70) if with_timeline else PLOT_BOTTOM

    n = max(len(chart.bars), 1)
    row_h = min(66.0, (bottom - top) / n)
    rows_top = top + max(0.0, (bottom - top - n * row_h) / 2) if n < 3 else top
    label_pt = min(s.LABEL_PT - 1, max(s.MIN_PT, row_h * 0.27))
    detail_pt = min(s.DETAIL_PT, label_pt * 0.85)
    bar_h = row_h * 0.36
    value_w = _value_width(p, chart.bars, label_pt)
    span = left_w - value_w - 12
    longest = max((b.value_seconds for b in chart.bars), default=1) or 1

    for i, bar in enumerate(chart.bars):
        y = rows_top + i * row_h
        label_y = y + row_h * 0.36
        name = p.text(
            MARGIN,
            label_y,
            bar.label,
            size=label_pt,
            bold=bar.highlighted,
            max_width=left_w * 0.7,
        )
        detail = bar.detail
        if bar.highlighted:
            detail = f"{detail} · {words.THIS_FLIGHT}" if detail else words.THIS_FLIGHT
        p.text(
            MARGIN + p.width(name) + 12,
            label_y,
            detail,
            size=detail_pt,
            color=s.HOLDER if bar.highlighted else s.MUTED,
            max_width=left_w - p.width(name) - 12,
        )
        cy = y + row_h * 0.66
        length = max(2.0, span * bar.value_seconds / longest)
        p.rect(MARGIN, cy - bar_h / 2, length, bar_h, _bar_colour(bar))
        _value_label(p, MARGIN + length + 10, cy, bar, label_pt)

    centre = rows_top + n * row_h / 2 if n < 3 else None
    _stats(p, chart, panel_x, top, bottom, centre)
    if with_timeline:
        _timeline(p, chart.timeline, TIMELINE_Y, MARGIN, W - MARGIN)
    _footer(p, chart.instant, chart.credit)


def _year(t: datetime) -> float:
    """An instant as a decimal year: 2015-07-02 is about 2015.5."""
    start = datetime(t.year, 1, 1, tzinfo=t.tzinfo)
    end = datetime(t.year + 1, 1, 1, tzinfo=t.tzinfo)
    return t.year + (t - start).total_seconds() / (end - start).total_seconds()


def _timeline(p: _Painter, spans: Sequence[Span], y: float, x0: float, x1: float) -> None:
    """Years on an axis, each flight a block from launch to landing above it."""
    if not spans:
        return
    lo = math.floor(min(_year(sp.start) for sp in spans))
    hi = math.floor(max(_year(sp.end) for sp in spans)) + 1
    years = hi - lo
    step = next(st for st in (1, 2, 5, 10, 20) if years / st <= 10)
    p.line(x0, y, x1, y, s.RULE, 1.5)

    def x(year: float) -> float:
        return x0 + (x1 - x0) * (year - lo) / years

    for year in range(math.ceil(lo / step) * step, hi + 1, step):
        p.line(x(year), y, x(year), y + 6, s.RULE, 1.5)
        p.text(x(year), y + 26, str(year), size=s.DETAIL_PT, color=s.MUTED, ha="center")
    block = 20.0
    for sp in spans:
        a, b = x(_year(sp.start)), x(_year(sp.end))
        p.rect(a, y - block - 3, max(b - a, 4.0), block, s.HOLDER if sp.this else s.OTHER)


def _stats(
    p: _Painter,
    chart: MissionChart,
    x: float,
    top: float,
    bottom: float,
    centre: float | None,
) -> None:
    """The big numbers, from the top, or centred on ``centre`` (beside one or two bars)."""
    width = W - MARGIN - x
    p.line(x - 24, top + 8, x - 24, bottom, s.RULE, 1.0)
    y = top + 52
    if centre is not None:
        lines = sum(len(_rank_lines(stat.ranks)) for stat in chart.stats)
        height = 40 + 62 * len(chart.stats) + 26 * lines + 58 * (len(chart.stats) - 1) - 20
        y = max(y, centre - height / 2 + 40)
    for i, stat in enumerate(chart.stats):
        p.text(
            x,
            y,
            stat.value,
            size=s.STAT_PT if i == 0 else s.STAT_PT * 0.8,
            bold=True,
            color=s.TEXT if i == 0 else s.HOLDER,
            max_width=width,
        )
        y += 32
        p.text(x, y, stat.label, size=s.DETAIL_PT + 2, color=s.MUTED, max_width=width)
        y += 30
        for line in _rank_lines(stat.ranks):
            p.text(x, y, line, size=s.DETAIL_PT + 2, bold=True, max_width=width)
            y += 26
        y += 58


def _rank_lines(ranks: str) -> list[str]:
    """Ranks ("5th in the world (1st in the US)") one per line, the first place first."""
    if not ranks:
        return []
    first, sep, rest = ranks.partition(" (")
    if not sep:
        return [ranks]
    return [first, *(part.strip() for part in rest.removesuffix(")").split(","))]

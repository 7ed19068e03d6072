"""The monthly risk report's charts, drawn with matplotlib (Agg, no display) as PNG bytes."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any

import matplotlib

matplotlib.use("Agg")

from matplotlib import font_manager  # noqa: E402 - the backend must be chosen first
from matplotlib.figure import Figure  # noqa: E402

from infra.render.fonts import font_path  # noqa: E402

GRADE_COLOURS = {"A": "#2e7d32", "B": "#7cb342", "C": "#fbc02d", "D": "#f57c00", "E": "#c62828"}
BUCKET_COLOURS = ["#90caf9", "#ffe082", "#ffb74d", "#ef6c00", "#b71c1c"]


@lru_cache(maxsize=1)
def _font() -> str:
    font_manager.fontManager.addfont(font_path())
    return font_manager.FontProperties(fname=font_path()).get_name()


def _figure(width: float = 7.0, height: float = 3.2) -> tuple[Figure, Any]:
    # Figures are made without pyplot (no global figure state, safe in worker threads).
    matplotlib.rcParams["font.family"] = [_font()]
    matplotlib.rcParams["axes.unicode_minus"] = False
    # WenQuanYi Zen Hei has one weight (500); asking for "normal" would log a fallback per text.
    for key in ("font.weight", "axes.titleweight", "axes.labelweight", "figure.titleweight"):
        matplotlib.rcParams[key] = 500
    fig = Figure(figsize=(width, height), dpi=150)
    return fig, fig.add_subplot(1, 1, 1)


def _png(fig: Figure) -> bytes:
    out = io.BytesIO()
    fig.tight_layout()
    fig.savefig(out, format="png")
    return out.getvalue()


def _wan(value: Decimal) -> float:
    """Money in 万元 (ten thousands) for axes; charts are pictures, the tables carry the cents."""
    return float(value / 10000)


def grade_distribution(rows: Sequence[tuple[str, int, Decimal]]) -> bytes:
    """Customers and exposure per grade."""
    fig, ax = _figure()
    grades = [g for g, _, _ in rows]
    ax.bar(grades, [n for _, n, _ in rows], color=[GRADE_COLOURS.get(g, "#888888") for g in grades])
    ax.set_title("风险等级分布")
    ax.set_xlabel("风险等级")
    ax.set_ylabel("客户数")
    twin = ax.twinx()
    twin.plot(grades, [_wan(e) for _, _, e in rows], color="#1a237e", marker="o")
    twin.set_ylabel("敞口（万元）")
    twin.set_ylim(bottom=0)
    return _png(fig)


def aging_by_region(table: dict[str, dict[Any, Decimal]], bucket_names: Sequence[str]) -> bytes:
    """Open receivables per region, stacked by aging bucket."""
    fig, ax = _figure()
    regions = list(table)
    bottoms = [0.0] * len(regions)
    buckets = list(next(iter(table.values())).keys()) if table else []
    for colour, bucket, name in zip(BUCKET_COLOURS, buckets, bucket_names, strict=False):
        values = [_wan(table[r][bucket]) for r in regions]
        ax.bar(regions, values, bottom=bottoms, color=colour, label=name)
        bottoms = [b + v for b, v in zip(bottoms, values, strict=True)]
    ax.set_title("各地区应收账龄")
    ax.set_ylabel("应收（万元）")
    if regions:
        ax.legend(fontsize=7, ncol=5, loc="upper center", bbox_to_anchor=(0.5, -0.12))
    else:
        ax.text(0.5, 0.5, "无未结应收", ha="center", va="center", transform=ax.transAxes)
    return _png(fig)


def utilisation_histogram(percents: Sequence[Decimal]) -> bytes:
    """How many customers use how much of their limit."""
    fig, ax = _figure()
    edges = [0, 20, 40, 60, 80, 100, 120, 150]
    values = [min(float(p), 149.0) for p in percents]
    ax.hist(values, bins=edges, color="#5c6bc0", edgecolor="white")
    ax.axvline(100, color="#c62828", linestyle="--", linewidth=1)
    ax.set_title("额度使用率分布")
    ax.set_xlabel("额度使用率（%，150 及以上归入最后一档）")
    ax.set_ylabel("客户数")
    return _png(fig)


def receivables_trend(points: Sequence[tuple[date, Decimal, Decimal]]) -> bytes:
    """Open and overdue receivables at each month end."""
    fig, ax = _figure()
    labels = [d.strftime("%Y-%m") for d, _, _ in points]
    ax.plot(labels, [_wan(o) for _, o, _ in points], marker="o", color="#1565c0", label="应收敞口")
    ax.plot(labels, [_wan(v) for _, _, v in points], marker="o", color="#c62828", label="逾期金额")
    ax.set_title("近12个月应收敞口与逾期趋势")
    ax.set_ylabel("金额（万元）")
    ax.set_ylim(bottom=0)
    ax.tick_params(axis="x", labelrotation=45, labelsize=7)
    ax.legend(fontsize=8)
    return _png(fig)

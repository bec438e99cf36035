"""Small SVG charts for the PDF report: grouped horizontal bars and a diverging change chart.

Every text is escaped; sizes are in user units of a viewBox, so the chart scales to the page.
"""

from html import escape

FONT = "'Noto Sans CJK SC', 'Noto Sans', sans-serif"
SERIES_COLOURS = ("#0b5cad", "#4f8fd0", "#a6c8ec")
UP, DOWN = "#2e7d32", "#c62828"


def _fit(label: str, width: int, size: int) -> str:
    """Shorten a label to the room left of the bars (a CJK character is about `size` wide)."""
    room = int((width - 10) / size)
    label = str(label)
    return label if len(label) <= room else label[: room - 1] + "…"


def _text(x, y, s, *, size=11, anchor="start", fill="#1d2733", weight="normal") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
        f'fill="{fill}" font-weight="{weight}" font-family="{FONT}">{escape(str(s))}</text>'
    )


def share_bars(
    rows: list[tuple[str, list[float | None]]],
    series: list[str],
    *,
    width: int = 680,
    label_width: int = 180,
) -> str:
    """One group of bars per row (a share from 0 to 1 per series), with a legend on top."""
    bar, gap = 7, 8
    group_h = bar * len(series) + gap
    top, bottom = 30, 22
    plot_w = width - label_width - 46
    height = top + group_h * len(rows) + bottom
    x0 = label_width
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img">'
    ]
    # legend
    lx = x0
    for name, colour in zip(series, SERIES_COLOURS, strict=False):
        parts.append(f'<rect x="{lx}" y="6" width="12" height="10" fill="{colour}"/>')
        parts.append(_text(lx + 16, 15, name, size=10))
        lx += 16 + 11 * max(len(name), 6) * 0.75 + 20
    # grid
    for step in range(0, 101, 25):
        gx = x0 + plot_w * step / 100
        parts.append(
            f'<line x1="{gx:.1f}" y1="{top - 4}" x2="{gx:.1f}" y2="{height - bottom + 2}" '
            f'stroke="#d9dee4" stroke-width="1"/>'
        )
        parts.append(_text(gx, height - 6, f"{step}%", size=9, anchor="middle", fill="#5b6875"))
    for n, (label, values) in enumerate(rows):
        gy = top + n * group_h
        parts.append(
            _text(x0 - 6, gy + group_h / 2, _fit(label, label_width, 10), size=10, anchor="end")
        )
        for k, value in enumerate(values):
            y = gy + k * bar
            if value is None:
                parts.append(_text(x0 + 3, y + bar - 1, "—", size=8, fill="#5b6875"))
                continue
            w = max(0.0, min(1.0, value)) * plot_w
            colour = SERIES_COLOURS[k % len(SERIES_COLOURS)]
            parts.append(
                f'<rect x="{x0}" y="{y:.1f}" width="{w:.1f}" height="{bar - 1}" fill="{colour}"/>'
            )
            if k == 0:  # the headline series carries its value (the tables carry all)
                parts.append(_text(x0 + w + 3, y + bar - 1, f"{value:.0%}", size=7, fill="#5b6875"))
    parts.append("</svg>")
    return "".join(parts)


def change_bars(
    rows: list[tuple[str, float]], *, width: int = 680, label_width: int = 180, unit: str = "pp"
) -> str:
    """Diverging bars around zero: gains green to the right, losses red to the left."""
    bar, gap = 12, 5
    top, bottom = 10, 22
    height = top + (bar + gap) * len(rows) + bottom
    plot_w = width - label_width - 60
    x_mid = label_width + 30 + plot_w / 2
    span = max([abs(v) for _label, v in rows] + [1.0])
    scale = (plot_w / 2) / span
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img">',
        f'<line x1="{x_mid:.1f}" y1="{top - 4}" x2="{x_mid:.1f}" y2="{height - bottom + 2}" '
        f'stroke="#5b6875" stroke-width="1"/>',
    ]
    for edge in (-span, span):
        parts.append(
            _text(
                x_mid + edge * scale,
                height - 6,
                f"{edge:+.0f} {unit}",
                size=9,
                anchor="middle",
                fill="#5b6875",
            )
        )
    for n, (label, value) in enumerate(rows):
        y = top + n * (bar + gap)
        parts.append(
            _text(label_width, y + bar - 2, _fit(label, label_width, 10), size=10, anchor="end")
        )
        w = abs(value) * scale
        x = x_mid if value >= 0 else x_mid - w
        colour = UP if value >= 0 else DOWN
        parts.append(
            f'<rect x="{x:.1f}" y="{y}" width="{max(w, 0.8):.1f}" height="{bar}" fill="{colour}"/>'
        )
        # the value sits on the other side of the zero line, clear of the bar and the labels
        parts.append(
            _text(
                x_mid - 4 if value >= 0 else x_mid + 4,
                y + bar - 2,
                f"{value:+.1f}",
                size=9,
                anchor="end" if value >= 0 else "start",
                fill=colour,
            )
        )
    parts.append("</svg>")
    return "".join(parts)

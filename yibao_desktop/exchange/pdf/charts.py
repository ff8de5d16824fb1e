"""The two charts of the report, drawn with ReportLab graphics (vector, no Qt).

Coordinates are floats made from the typed compute result (drawing only); every label printed
is formatted by `domain.formatting`.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any, Sequence

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.lineplots import LinePlot
from reportlab.graphics.shapes import Drawing, Line, String
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth

from yibao_desktop.domain import formatting as fmt
from yibao_desktop.domain.result import BudgetExecution, Level1Score, Month

ACTUAL = colors.HexColor("#B22222")
SCHEDULE = colors.HexColor("#7F7F7F")
WEIGHT = colors.HexColor("#A6BDDB")
SCORE = colors.HexColor("#2B5A8C")

PROGRESS_LEGEND = ("实际累计支出进度", "序时进度（按月均匀）")
SCORE_LEGEND = ("分值", "得分")
BUDGET_LABEL = "预算执行率"


def _num(value: Decimal | None) -> float:
    """A coordinate (drawing only; every printed figure stays Decimal and is formatted)."""
    return float(value) if value is not None else 0.0


def progress_chart(monthly: Sequence[Month], font: str, width: float, height: float = 210) -> Drawing:
    """Monthly cumulative spending progress against the even schedule (month/12)."""
    d = Drawing(width, height)
    plot = LinePlot()
    plot.x, plot.y = 40, 42
    plot.width, plot.height = width - 60, height - 62
    actual = [(m.month, _num(m.progress)) for m in monthly]
    schedule = [(m.month, _num(m.schedule)) for m in monthly]
    plot.data = [actual, schedule]
    step = fmt.axis_step(max([100.0] + [v for _, v in actual]))
    top = step * math.ceil(max([100.0] + [v for _, v in actual]) / step)
    plot.yValueAxis.valueMin, plot.yValueAxis.valueMax = 0, top
    plot.yValueAxis.valueStep = step
    plot.yValueAxis.labelTextFormat = "%d%%"
    plot.yValueAxis.labels.fontName = font
    plot.yValueAxis.labels.fontSize = 8
    plot.yValueAxis.visibleGrid = True
    plot.yValueAxis.gridStrokeColor = colors.HexColor("#DDDDDD")
    plot.xValueAxis.valueMin, plot.xValueAxis.valueMax = 0.5, 12.5
    plot.xValueAxis.valueSteps = list(range(1, 13))
    plot.xValueAxis.labelTextFormat = lambda v: f"{int(v)}月"
    plot.xValueAxis.labels.fontName = font
    plot.xValueAxis.labels.fontSize = 8
    plot.lines[0].strokeColor = ACTUAL
    plot.lines[0].strokeWidth = 1.6
    plot.lines[0].symbol = makeMarker("FilledCircle", size=3.5, fillColor=ACTUAL, strokeColor=ACTUAL)
    plot.lines[1].strokeColor = SCHEDULE
    plot.lines[1].strokeWidth = 1
    plot.lines[1].strokeDashArray = (4, 3)
    d.add(plot)
    # Value labels above the actual line.
    for m in monthly:
        if m.progress is None:
            continue
        x = plot.x + (m.month - 0.5) / 12 * plot.width
        y = plot.y + _num(m.progress) / top * plot.height + 5
        d.add(String(x, y, fmt.pct(m.progress), fontName=font, fontSize=6.5, fillColor=ACTUAL, textAnchor="middle"))
    d.add(_legend(font, plot.x + 6, 150, (14, 6), [(ACTUAL, PROGRESS_LEGEND[0]), (SCHEDULE, PROGRESS_LEGEND[1])]))
    return d


def score_chart(level1: Sequence[Level1Score], budget: BudgetExecution | None, font: str, width: float,
                height: float = 210) -> Drawing:
    """Score against weight for every level-1 indicator (and the budget-execution item)."""
    names = [row.name for row in level1]
    weights = [row.weight for row in level1]
    scores = [row.score for row in level1]
    if budget is not None and budget.weight > 0:
        names.append(BUDGET_LABEL)
        weights.append(budget.weight)
        scores.append(budget.score)
    d = Drawing(width, height)
    chart = VerticalBarChart()
    chart.x, chart.y = 40, 42
    chart.width, chart.height = width - 60, height - 62
    chart.data = [[_num(w) for w in weights], [_num(s) for s in scores]]
    chart.barLabelArray = [[fmt.number(w) for w in weights], [fmt.score(s) for s in scores]]
    chart.barLabelFormat = "values"
    chart.barLabels.fontName = font
    chart.barLabels.fontSize = 7.5
    chart.barLabels.nudge = 6
    chart.categoryAxis.categoryNames = names
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 8.5
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = max([10.0] + chart.data[0] + chart.data[1]) * 1.15
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.labels.fontSize = 8
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = colors.HexColor("#DDDDDD")
    chart.bars[0].fillColor = WEIGHT
    chart.bars[1].fillColor = SCORE
    chart.bars.strokeColor = None
    chart.barSpacing = 2
    chart.groupSpacing = 14
    d.add(chart)
    d.add(_legend(font, chart.x + 6, 70, (10, 8), [(WEIGHT, SCORE_LEGEND[0]), (SCORE, SCORE_LEGEND[1])]))
    return d


UNIT_PROGRESS_LEGEND = "支出进度"
LOW_LEGEND = "低于{}%"
TOTAL_LABEL = "合计 {}"
UNIT_BAR = 14.0  # points per unit of a progress-by-unit chart


def progress_by_unit_chart(names: Sequence[str], progress: Sequence[Decimal | None], total: Decimal | None,
                           font: str, width: float, threshold: Decimal | None = None) -> Drawing:
    """Spending progress of each unit as horizontal bars (top to bottom in the order given), a
    dashed line at the group's total progress (paid ÷ available of the sums), and bars below
    `threshold` in red. The caller splits long lists so that each drawing fits a page."""
    size = 8.5
    label_w = min(width * 0.35, max([stringWidth(n, font, size) for n in names] + [40.0]) + 8)
    n = len(names)
    height = n * UNIT_BAR + 66
    d = Drawing(width, height)
    chart = HorizontalBarChart()
    chart.x, chart.y = label_w, 40
    chart.width, chart.height = width - label_w - 56, n * UNIT_BAR
    values = [_num(p) for p in progress]
    top_value = max(values + [100.0, _num(total)])
    step = fmt.axis_step(top_value)
    top = step * math.ceil(top_value / step)
    # HorizontalBarChart draws its first category at the bottom: reverse to read top-down.
    chart.data = [list(reversed(values))]
    chart.categoryAxis.categoryNames = list(reversed(names))
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = size
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.labels.dx = -4
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, top, step
    chart.valueAxis.labelTextFormat = "%d%%"
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.labels.fontSize = 8
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = colors.HexColor("#DDDDDD")
    chart.bars.strokeColor = None
    chart.bars[0].fillColor = SCORE
    for i, value in enumerate(reversed(progress)):
        if value is not None and threshold is not None and value < threshold:
            chart.bars[(0, i)].fillColor = ACTUAL
    chart.barLabelFormat = "values"
    chart.barLabelArray = [[fmt.pct(p) for p in reversed(progress)]]
    chart.barLabels.fontName = font
    chart.barLabels.fontSize = 7.5
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    chart.barSpacing = 0
    chart.groupSpacing = 4
    d.add(chart)
    if total is not None:
        x = chart.x + _num(total) / top * chart.width
        d.add(Line(x, chart.y, x, chart.y + chart.height + 4, strokeColor=SCHEDULE, strokeWidth=1,
                   strokeDashArray=(4, 3)))
        d.add(String(x, chart.y + chart.height + 7, TOTAL_LABEL.format(fmt.pct(total)), fontName=font,
                     fontSize=8, fillColor=SCHEDULE, textAnchor="middle"))
    pairs = [(SCORE, UNIT_PROGRESS_LEGEND)]
    if threshold is not None:
        pairs.append((ACTUAL, LOW_LEGEND.format(fmt.number(threshold))))
    d.add(_legend(font, chart.x + 6, 90, (10, 8), pairs))
    return d


def unit_chart_texts(names: Sequence[str], threshold: Decimal | None = None) -> str:
    """Every text a progress-by-unit chart can draw (for the glyph-coverage check)."""
    low = LOW_LEGEND.format(fmt.number(threshold)) if threshold is not None else ""
    return "".join(names) + UNIT_PROGRESS_LEGEND + low + TOTAL_LABEL + "0123456789.%—"


def _legend(font: str, x: float, deltax: float, swatch: tuple[float, float], pairs: list[tuple[Any, str]]) -> Legend:
    """One-row legend below a chart (both charts use the same style)."""
    legend = Legend()
    legend.fontName = font
    legend.fontSize = 8.5
    legend.x, legend.y = x, 14
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.deltax = deltax
    legend.dx, legend.dy = swatch
    legend.colorNamePairs = pairs
    return legend


def chart_texts(level1: Sequence[Level1Score]) -> str:
    """Every text the charts can draw (for the glyph-coverage check)."""
    return "".join(PROGRESS_LEGEND + SCORE_LEGEND) + BUDGET_LABEL + "".join(r.name for r in level1) \
        + "0123456789.%—月"

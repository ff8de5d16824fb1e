"""概览: key figures, the monthly cumulative payment chart against the schedule, and the findings."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any, Callable, Sequence

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from yibao_desktop.domain import formatting as fmt
from yibao_desktop.domain.result import SEVERITY_LABELS, Finding, FundsYoy, Month
from yibao_desktop.templates import default_title
from yibao_desktop.ui.document import ReportDocument
from yibao_desktop.ui.tabs.common import figure_card

SEVERITY_COLOR = {"error": "#c0392b", "warning": "#b7791f", "info": "#2b6cb0"}
# The in-year warning is a finding like any other (so `check` and the PDF know it too); the
# overview also shows it in a line of its own above the chart.
BANNER_CODES = ("schedule_lag",)


def yoy_text(yoy: FundsYoy | None) -> str:
    """同比 of the funds, when the report was started from last year's file."""
    if yoy is None:
        return ""
    return (f"同比：上年（{yoy.last_year}年）可用资金 {fmt.wan(yoy.last_available)} 万元、支出 {fmt.wan(yoy.last_paid)} 万元、"
            f"进度 {fmt.pct(yoy.last_progress)}；本年支出 {fmt.wan(yoy.paid)} 万元、进度 {fmt.pct(yoy.progress)}"
            f"（{fmt.points(yoy.progress_change)} 个百分点）")


class ProgressChart(QWidget):
    """Monthly cumulative payment progress (blue) against the even time schedule (grey, dashed)."""

    def __init__(self) -> None:
        super().__init__()
        self.monthly: Sequence[Month] = ()
        self.setMinimumHeight(240)

    def set_monthly(self, monthly: Sequence[Month]) -> None:
        self.monthly = monthly
        self.update()

    def _font(self) -> QFont:
        font = QFont(self.font())
        font.setPointSizeF(max(8.0, font.pointSizeF() * 0.9))
        return font

    def axis(self) -> tuple[QRectF, Decimal, list[tuple[str, float]]]:
        """The plot area, the top of the y axis, and each y label with its height: a step of 1, 2
        or 5 × 10^k, so that progress far beyond 100% gives a few labels, never a pile; the plot
        starts right of the widest label."""
        top = max((m.progress for m in self.monthly if m.progress is not None), default=Decimal(100))
        top = max(Decimal(100), top)
        step = Decimal(str(fmt.axis_step(float(top))))
        y_max = step * math.ceil(top / step)
        labels = [f"{fmt.number(k * step)}%" for k in range(int(y_max / step) + 1)]
        metrics = QFontMetricsF(self._font())
        left = max(52.0, max(metrics.horizontalAdvance(t) for t in labels) + 14)
        rect = QRectF(self.rect()).adjusted(left, 30, -20, -36)
        ticks = [(text, rect.bottom() - rect.height() * k / (len(labels) - 1)) for k, text in enumerate(labels)]
        return rect, y_max, ticks

    def paintEvent(self, event: Any) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect, y_max, ticks = self.axis()
        painter.fillRect(self.rect(), QColor("#ffffff"))
        painter.setFont(self._font())
        painter.setPen(QColor("#333333"))
        painter.drawText(QRectF(0, 4, self.width(), 22), Qt.AlignmentFlag.AlignCenter, "月度累计支出进度与序时进度")

        def point(month: int, value: Decimal) -> QPointF:
            x = rect.left() + rect.width() * (month - 0.5) / 12
            y = rect.bottom() - rect.height() * float(value / y_max)
            return QPointF(x, y)

        grid = QPen(QColor("#e3e7ee"))
        for text, y in ticks:
            painter.setPen(grid)
            painter.drawLine(QPointF(rect.left(), y), QPointF(rect.right(), y))
            painter.setPen(QColor("#5a6472"))
            painter.drawText(QRectF(0, y - 9, rect.left() - 6, 18), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                             text)
        for m in range(1, 13):
            x = rect.left() + rect.width() * (m - 0.5) / 12
            painter.drawText(QRectF(x - 20, rect.bottom() + 6, 40, 18), Qt.AlignmentFlag.AlignCenter, f"{m}月")
        if not self.monthly:
            return
        schedule = QPainterPath()
        actual = QPainterPath()
        for m in self.monthly:
            p_s = point(m.month, m.schedule)
            p_a = point(m.month, m.progress or Decimal(0))
            if m.month == 1:
                schedule.moveTo(p_s)
                actual.moveTo(p_a)
            else:
                schedule.lineTo(p_s)
                actual.lineTo(p_a)
        pen = QPen(QColor("#9aa3af"), 2, Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.drawPath(schedule)
        painter.setPen(QPen(QColor("#2b6cb0"), 2.5))
        painter.drawPath(actual)
        painter.setBrush(QColor("#2b6cb0"))
        for m in self.monthly:
            painter.drawEllipse(point(m.month, m.progress or Decimal(0)), 3, 3)
        # legend
        lx, ly = rect.left() + 10, rect.top() + 6
        painter.setPen(QPen(QColor("#2b6cb0"), 2.5))
        painter.drawLine(QPointF(lx, ly + 7), QPointF(lx + 24, ly + 7))
        painter.setPen(QColor("#333333"))
        painter.drawText(QPointF(lx + 30, ly + 12), "累计支出进度")
        painter.setPen(pen)
        painter.drawLine(QPointF(lx + 130, ly + 7), QPointF(lx + 154, ly + 7))
        painter.setPen(QColor("#333333"))
        painter.drawText(QPointF(lx + 160, ly + 12), "序时进度")


class OverviewTab(QWidget):
    def __init__(self, rdoc: ReportDocument, on_jump: Callable[[str], None]):
        super().__init__()
        self.rdoc = rdoc
        self.on_jump = on_jump
        layout = QVBoxLayout(self)
        self.title = QLabel()
        self.title.setStyleSheet("font-size: 15pt; font-weight: bold; color: #1d3557;")
        self.title.setWordWrap(True)
        layout.addWidget(self.title)
        cards = QGridLayout()
        self.values: dict[str, QLabel] = {}
        for i, (key, caption) in enumerate([("available", "可用资金（万元）"), ("paid", "已支出（万元）"),
                                            ("progress", "支出进度"), ("balance", "结余（万元）"),
                                            ("total", "自评总分"), ("grade", "等级")]):
            card, value = figure_card(caption)
            cards.addWidget(card, 0, i)
            self.values[key] = value
        layout.addLayout(cards)
        self.yoy = QLabel()
        self.yoy.setWordWrap(True)
        layout.addWidget(self.yoy)
        self.warning = QLabel()
        self.warning.setStyleSheet("color: #c0392b; font-weight: bold;")
        self.warning.setWordWrap(True)
        layout.addWidget(self.warning)
        body = QHBoxLayout()
        self.chart = ProgressChart()
        body.addWidget(self.chart, 3)
        right = QVBoxLayout()
        self.findings_title = QLabel()
        right.addWidget(self.findings_title)
        self.findings = QListWidget()
        self.findings.setWordWrap(True)
        self.findings.itemActivated.connect(self._on_findings_activated)
        self.findings.itemClicked.connect(self._on_findings_activated)
        right.addWidget(self.findings, 1)
        body.addLayout(right, 2)
        layout.addLayout(body, 1)
        self._shown_findings: tuple[Finding, ...] | None = None
        rdoc.changed.connect(self._on_document_changed)
        self._on_document_changed()

    def _on_document_changed(self) -> None:
        result, funds = self.rdoc.result, self.rdoc.result.funds
        self.title.setText(default_title(self.rdoc.report.meta))
        self.values["available"].setText(fmt.wan(funds.available))
        self.values["paid"].setText(fmt.wan(funds.paid))
        self.values["progress"].setText(fmt.pct(funds.progress))
        self.values["balance"].setText(fmt.wan(funds.balance))
        self.values["total"].setText(fmt.score(result.total_score))
        self.values["grade"].setText(fmt.label(result.grade))
        self.yoy.setText(yoy_text(result.funds_yoy))
        self.yoy.setVisible(bool(self.yoy.text()))
        banner = next((f for f in result.findings if f.code in BANNER_CODES), None)
        self.warning.setText(f"预警：{banner.message}，请加快资金支付。" if banner else "")
        self.warning.setVisible(banner is not None)
        if funds.monthly is not self.chart.monthly:
            self.chart.set_monthly(funds.monthly)
        findings = result.findings
        if findings == self._shown_findings:
            return  # the list is long on big reports; rebuild it only when it changed
        self._shown_findings = findings
        counts = result.severity_counts()
        self.findings_title.setText(
            f"<b>检查发现的问题</b>　错误 {counts['error']}　警告 {counts['warning']}　提示 {counts['info']}"
            f"　<span style='color:#5a6472'>（单击跳转到对应单元格）</span>")
        self.findings.clear()
        for f in findings:
            item = QListWidgetItem(f"【{SEVERITY_LABELS[f.severity]}】{f.message}")
            item.setForeground(QColor(SEVERITY_COLOR[f.severity]))
            item.setData(Qt.ItemDataRole.UserRole, str(f.where))
            item.setToolTip(f"{f.code} · {f.where}")
            self.findings.addItem(item)
        if not findings:
            self.findings.addItem("未发现问题。")

    def _on_findings_activated(self, item: QListWidgetItem) -> None:
        where = item.data(Qt.ItemDataRole.UserRole)
        if where:
            self.on_jump(where)

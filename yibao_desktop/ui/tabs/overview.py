"""概览: key figures, the monthly cumulative payment chart against the schedule, and the findings."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Callable

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from yibao_desktop.domain.narrative import wan
from yibao_desktop.templates import default_title
from yibao_desktop.ui.document import ReportDocument
from yibao_desktop.ui.tabs.common import figure_card

SEVERITY = {"error": "错误", "warning": "警告", "info": "提示"}
SEVERITY_COLOR = {"error": "#c0392b", "warning": "#b7791f", "info": "#2b6cb0"}
SEPTEMBER_SCHEDULE = Decimal("75")


def progress_warning(result: dict[str, Any]) -> str:
    """The in-year early warning: cumulative progress behind the schedule at the end of September."""
    september = result["funds"]["monthly"][8]
    if september["progress"] is None:
        return ""
    if Decimal(september["progress"]) < SEPTEMBER_SCHEDULE:
        return (f"预警：截至9月底累计支出进度 {september['progress']}%，低于 75% 的序时进度，"
                f"请加快资金支付。")
    return ""


def yoy_text(yoy: dict[str, Any] | None) -> str:
    """同比 of the funds, when the report was started from last year's file."""
    if not yoy:
        return ""
    change = yoy["progress_change"]
    sign = "" if change is None or change.startswith("-") else "+"
    return (f"同比：上年（{yoy['last_year']}年）可用资金 {wan(yoy['last_available'])} 万元、支出 {wan(yoy['last_paid'])} 万元、"
            f"进度 {yoy['last_progress'] or '—'}%；本年支出 {wan(yoy['paid'])} 万元、进度 {yoy['progress'] or '—'}%"
            f"（{sign}{change or '—'} 个百分点）")


class ProgressChart(QWidget):
    """Monthly cumulative payment progress (blue) against the even time schedule (grey, dashed)."""

    def __init__(self) -> None:
        super().__init__()
        self.monthly: list[dict[str, Any]] = []
        self.setMinimumHeight(240)

    def set_monthly(self, monthly: list[dict[str, Any]]) -> None:
        self.monthly = monthly
        self.update()

    def paintEvent(self, event: Any) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(self.rect()).adjusted(52, 30, -20, -36)
        painter.fillRect(self.rect(), QColor("#ffffff"))
        font = QFont(self.font())
        font.setPointSizeF(max(8.0, font.pointSizeF() * 0.9))
        painter.setFont(font)
        painter.setPen(QColor("#333333"))
        painter.drawText(QRectF(0, 4, self.width(), 22), Qt.AlignmentFlag.AlignCenter, "月度累计支出进度与序时进度")
        top = max((Decimal(m["progress"]) for m in self.monthly if m["progress"] is not None), default=Decimal(100))
        y_max = max(Decimal(100), top)

        def point(month: int, value: Decimal) -> QPointF:
            x = rect.left() + rect.width() * (month - 0.5) / 12
            y = rect.bottom() - rect.height() * float(value / y_max)
            return QPointF(x, y)

        grid = QPen(QColor("#e3e7ee"))
        for pct in range(0, int(y_max) + 1, 25):
            y = rect.bottom() - rect.height() * pct / float(y_max)
            painter.setPen(grid)
            painter.drawLine(QPointF(rect.left(), y), QPointF(rect.right(), y))
            painter.setPen(QColor("#5a6472"))
            painter.drawText(QRectF(0, y - 9, rect.left() - 6, 18), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                             f"{pct}%")
        for m in range(1, 13):
            x = rect.left() + rect.width() * (m - 0.5) / 12
            painter.drawText(QRectF(x - 20, rect.bottom() + 6, 40, 18), Qt.AlignmentFlag.AlignCenter, f"{m}月")
        if not self.monthly:
            return
        schedule = QPainterPath()
        actual = QPainterPath()
        for m in self.monthly:
            p_s = point(m["month"], Decimal(m["schedule"]))
            p_a = point(m["month"], Decimal(m["progress"] or 0))
            if m["month"] == 1:
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
            painter.drawEllipse(point(m["month"], Decimal(m["progress"] or 0)), 3, 3)
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
        self._shown_findings: list[dict[str, str]] | None = None
        rdoc.changed.connect(self._on_document_changed)
        self._on_document_changed()

    def _on_document_changed(self) -> None:
        result, funds = self.rdoc.result, self.rdoc.result["funds"]
        self.title.setText(default_title(self.rdoc.report.meta))
        self.values["available"].setText(wan(funds["available"]))
        self.values["paid"].setText(wan(funds["paid"]))
        self.values["progress"].setText(f"{funds['progress']}%" if funds["progress"] else "—")
        self.values["balance"].setText(wan(funds["balance"]))
        self.values["total"].setText(result["total_score"])
        self.values["grade"].setText(result["grade"])
        self.yoy.setText(yoy_text(result["funds_yoy"]))
        self.yoy.setVisible(bool(self.yoy.text()))
        self.warning.setText(progress_warning(result))
        self.warning.setVisible(bool(self.warning.text()))
        if funds["monthly"] is not self.chart.monthly:
            self.chart.set_monthly(funds["monthly"])
        findings = result["findings"]
        if findings == self._shown_findings:
            return  # the list is long on big reports; rebuild it only when it changed
        self._shown_findings = findings
        counts = {s: sum(1 for f in findings if f["severity"] == s) for s in SEVERITY}
        self.findings_title.setText(
            f"<b>检查发现的问题</b>　错误 {counts['error']}　警告 {counts['warning']}　提示 {counts['info']}"
            f"　<span style='color:#5a6472'>（单击跳转到对应单元格）</span>")
        self.findings.clear()
        for f in findings:
            item = QListWidgetItem(f"【{SEVERITY[f['severity']]}】{f['message']}")
            item.setForeground(QColor(SEVERITY_COLOR[f["severity"]]))
            item.setData(Qt.ItemDataRole.UserRole, f["where"])
            item.setToolTip(f"{f['code']} · {f['where']}")
            self.findings.addItem(item)
        if not findings:
            self.findings.addItem("未发现问题。")

    def _on_findings_activated(self, item: QListWidgetItem) -> None:
        where = item.data(Qt.ItemDataRole.UserRole)
        if where:
            self.on_jump(where)

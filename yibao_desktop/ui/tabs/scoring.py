"""评分: level-1 weights and scores, the budget-execution score, the total and grade, the scoring
settings, manual overrides (each with a reason) and the counts sentence."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from yibao_desktop.domain import formatting as fmt
from yibao_desktop.domain import rules
from yibao_desktop.domain.edits import SetField
from yibao_desktop.domain.narrative import counts_sentence
from yibao_desktop.ui import errors
from yibao_desktop.ui.document import ReportDocument
from yibao_desktop.ui.models.base import DisplayUnit
from yibao_desktop.ui.models.tables import IND_COL, LONG_TEXT_COLUMNS, IND_COLUMNS, IndicatorModel, Level1Model
from yibao_desktop.ui.text_delegate import use_for_columns
from yibao_desktop.ui.views import SheetView

REVERSE_RULES = [("linear", "线性扣分：分值 ×（1 −（实际 − 目标）÷ 目标），2倍目标及以上得 0 分"),
                 ("ratio", "比例计分：分值 × 目标 ÷ 实际")]
OVERRIDE_COLUMNS = ("三级指标", "评级", "定性区间", "得分", "人工得分", "调整理由")


def cap_text(profile: str = rules.DEFAULT_PROFILE) -> str:
    """'执行率<50% ≤59，50%–60% ≤69，…' from the rule itself."""
    parts, lower = [], None
    for bound, limit in rules.profile(profile).caps:
        span = f"<{bound}%" if lower is None else f"{lower}%–{bound}%"
        parts.append(f"{span} ≤{limit}")
        lower = bound
    return "，".join(parts)


class ScoringTab(QWidget):
    def __init__(self, rdoc: ReportDocument, unit: DisplayUnit):
        super().__init__()
        self.rdoc = rdoc
        layout = QHBoxLayout(self)
        left = QVBoxLayout()
        left.addWidget(QLabel("<b>一级指标得分</b>"))
        self.level1_model = Level1Model(rdoc)
        self.level1_view = SheetView()
        self.level1_view.setModel(self.level1_model)
        for i, width in enumerate((130, 60, 130, 80)):
            self.level1_view.setColumnWidth(i, width)
        left.addWidget(self.level1_view, 2)
        self.counts = QLabel()
        self.counts.setWordWrap(True)
        left.addWidget(self.counts)

        settings = QGroupBox("评分规则")
        form = QFormLayout(settings)
        self.scored = QCheckBox("本报告评分（不勾选：只填中央对地方转移支付区域绩效自评表，不计算得分和等级）")
        self.scored.toggled.connect(lambda on: self._set("scored", on, "评分设置"))
        form.addRow("是否评分", self.scored)
        profile_row = QHBoxLayout()
        self.profile = QComboBox()
        for key, preset in rules.PROFILES.items():
            self.profile.addItem(preset.label, key)
        self.profile.currentIndexChanged.connect(self._on_profile_changed)
        profile_row.addWidget(self.profile, 1)
        self.apply_weights = QPushButton("套用该方案的一级指标权重")
        self.apply_weights.clicked.connect(self._on_apply_weights_clicked)
        profile_row.addWidget(self.apply_weights)
        form.addRow("评分方案", profile_row)
        self.reverse = QComboBox()
        for key, label in REVERSE_RULES:
            self.reverse.addItem(label, key)
        self.reverse.currentIndexChanged.connect(self._on_reverse_changed)
        form.addRow("反向指标（≤、<）", self.reverse)
        self.penalty = QCheckBox(f"实际值达到目标值 {rules.OVERACHIEVE_RATIO * 100:.0f}% 及以上时扣 "
                                 f"{rules.OVERACHIEVE_PENALTY} 分（目标设置偏低）")
        self.penalty.toggled.connect(lambda on: self._set("overachieve_penalty", on, "超额完成扣分"))
        form.addRow("超额完成", self.penalty)
        self.cap = QCheckBox(f"按预算执行率封顶总分（{cap_text()}）")
        self.cap.toggled.connect(lambda on: self._set("execution_cap", on, "执行率封顶"))
        form.addRow("执行率封顶", self.cap)
        labels_row = QHBoxLayout()
        self.labels: list[QLineEdit] = []
        for _label, bound in rules.grade_bounds_text(rdoc.report.scoring.grade_labels):
            edit = QLineEdit()
            edit.setMaximumWidth(60)
            edit.editingFinished.connect(self._on_labels_edited)
            labels_row.addWidget(QLabel(bound))
            labels_row.addWidget(edit)
            self.labels.append(edit)
        labels_row.addStretch(1)
        form.addRow("等级名称", labels_row)
        left.addWidget(settings)
        layout.addLayout(left, 5)

        right = QVBoxLayout()
        heading = QLabel("<b>定性评分与人工调整</b>　<span style='color:#5a6472'>定性指标在区间内填写得分；"
                         "定量指标如需人工调整得分，须填写理由，报告中会一并列出。</span>")
        heading.setWordWrap(True)  # never widens the window beyond a small screen
        right.addWidget(heading)
        self.override_model = IndicatorModel(rdoc, unit)
        self.override_view = SheetView()
        self.override_view.setModel(self.override_model)
        for i, col in enumerate(IND_COLUMNS):
            self.override_view.setColumnHidden(i, col.header not in OVERRIDE_COLUMNS)
        for header, width in (("三级指标", 190), ("评级", 75), ("得分", 60), ("人工得分", 70), ("调整理由", 130),
                              ("定性区间", 90)):
            self.override_view.setColumnWidth(IND_COL[header], width)
        use_for_columns(self.override_view, [IND_COL[h] for h in LONG_TEXT_COLUMNS])
        right.addWidget(self.override_view, 1)
        layout.addLayout(right, 6)
        rdoc.changed.connect(self._on_document_changed)
        self._on_document_changed()

    def _set(self, field: str, value: object, text: str) -> None:
        if getattr(self.rdoc.report.scoring, field) != value:
            self.rdoc.apply([SetField("scoring", None, field, value)], text)

    def _on_reverse_changed(self) -> None:
        self._set("reverse_rule", self.reverse.currentData(), "修改反向指标计分规则")

    def _on_profile_changed(self) -> None:
        self._set("profile", self.profile.currentData(), "修改评分方案")

    def _on_apply_weights_clicked(self) -> None:
        """The preset's level-1 and budget-execution weights, as one undo step (the level-3 rows
        keep theirs: a mismatch then shows as a finding to settle)."""
        preset = rules.profile(self.rdoc.report.scoring.profile)
        self.rdoc.apply([SetField("scoring", None, "level1_weights", preset.weights),
                         SetField("scoring", None, "budget_execution_weight", preset.budget_weight)],
                        f"套用「{preset.label}」的权重")

    def _on_labels_edited(self) -> None:
        labels = tuple(edit.text().strip() for edit in self.labels)
        if not all(labels):
            errors.show_error(self, "输入有误", "等级名称不能为空。")
            self._on_document_changed()
            return
        self._set("grade_labels", labels, "修改等级名称")

    def _on_document_changed(self) -> None:
        scoring = self.rdoc.report.scoring
        widgets = (self.reverse, self.penalty, self.cap, self.scored, self.profile)
        for widget in widgets:
            widget.blockSignals(True)
        self.reverse.setCurrentIndex(max(0, self.reverse.findData(scoring.reverse_rule)))
        self.penalty.setChecked(scoring.overachieve_penalty)
        self.cap.setChecked(scoring.execution_cap)
        self.scored.setChecked(scoring.scored)
        self.profile.setCurrentIndex(max(0, self.profile.findData(scoring.profile)))
        for widget in widgets:
            widget.blockSignals(False)
        self.cap.setText(f"按预算执行率封顶总分（{cap_text(scoring.profile)}）")
        for widget in (self.profile, self.apply_weights, self.reverse, self.penalty, self.cap, *self.labels):
            widget.setEnabled(scoring.scored)
        for edit, label in zip(self.labels, scoring.grade_labels):
            if not edit.hasFocus():
                edit.setText(label)
        result = self.rdoc.result
        self.counts.setText(f"{counts_sentence(result.counts)}。<br>自评总分 <b>{fmt.score(result.total_score)}</b> 分，"
                            f"等级 <b>{fmt.label(result.grade)}</b>。")

"""The 评分 tab's score table: every cell's tooltip explains its row's figure (issue 13, item 14)."""

from PySide6.QtCore import Qt

from yibao_desktop.domain.score_explain import score_texts


def test_tooltips_explain_instead_of_repeating_the_column(window):
    model = window.scoring.level1_model
    result = window.rdoc.result
    texts = score_texts(result, window.rdoc.report.scoring.grade_labels)
    n = len(window.rdoc.report.scoring.level1_weights)
    tip = lambda row, col: model.index(row, col).data(Qt.ItemDataRole.ToolTipRole)  # noqa: E731
    for row in range(model.rowCount()):
        for col in range(model.columnCount()):
            text = tip(row, col)
            assert text and text not in model.HEADERS and ("\n" in text or "权重" in text), (row, col, text)
    name = window.rdoc.report.scoring.level1_weights[0][0]
    assert tip(0, 3) == texts.level1[name] and tip(0, 1) == texts.weights[name]
    assert tip(n, 3) == texts.budget and "× 分值" in tip(n, 3)
    assert tip(n + 1, 3) == texts.total and tip(n + 1, 1) == texts.total_weight
    # the texts follow the document: change the weight, the tooltip changes
    model.setData(model.index(n, 1), "20")
    assert "× 分值 20 =" in tip(n, 3)

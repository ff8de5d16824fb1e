"""The tables the Excel exchange knows: their columns, the canonical headers of the data workbook,
and the header variants found in other people's sheets (in priority order).

One description serves both directions: the data workbook is written from it, and the importer
recognises columns with it (exact canonical headers in a data workbook, every alias elsewhere).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from yibao_desktop.domain.report import FUND_TYPE_LABELS, GRADES, KINDS, LEVELS, NATURES, POOLS
from yibao_desktop.domain.rules import PROFILES

# Import modes: replace the report's rows, append to them, or merge indicators by name. Lists are
# appended unless replace is asked for: a short sheet must never wipe a long list by default.
MODES = ("replace", "append", "merge")
MODE_LABELS = {"replace": "替换", "append": "追加", "merge": "按指标名称合并"}
DEFAULT_MODES = {"incomes": "append", "expenditures": "append", "indicators": "merge"}
COLLECTION_LABELS = {
    "incomes": "资金来源", "expenditures": "支出明细", "indicators": "绩效指标", "narrative": "报告文字",
    "basis": "依据文件", "meta": "报告信息", "scoring": "评分设置", "fund_operation": "基金运行情况",
}

DATA_MARKER = "yibao-data 1"
MARKER_LABEL = "文件格式（请勿修改）"
SEQ_HEADER = "序号"  # first column of every data-workbook table: keeps rows whose cells are all empty


@dataclass(frozen=True)
class Column:
    field: str
    header: str  # canonical header (data workbook)
    kind: str  # text | longtext | money | number | date | enum | int | bool
    choices: tuple[str, ...] = ()
    required: bool = False
    aliases: tuple[str, ...] = ()  # more headers recognised in other people's sheets
    width: float = 12
    generic_only: bool = False  # recognised in other sheets, not written to the data workbook


@dataclass(frozen=True)
class Table:
    kind: str
    sheet: str  # sheet name in the data workbook
    label: str  # what the table is, for messages
    columns: tuple[Column, ...]
    # The table is recognised when a header row has every field of `needs` and at least one of
    # `any_of` (headers alone decide which kind of table a sheet holds).
    needs: tuple[str, ...]
    any_of: tuple[str, ...]
    generic: bool  # recognised in sheets that are not our data workbook

    def column(self, field: str) -> Column:
        return next(c for c in self.columns if c.field == field)

    @property
    def data_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if not c.generic_only)


LEVEL_SYNONYMS = {
    "中央财政": "中央", "中央资金": "中央", "中央级": "中央", "省": "省级", "省级财政": "省级", "省财政": "省级",
    "市": "市级", "市级财政": "市级", "市财政": "市级", "县": "县级", "县级财政": "县级", "县财政": "县级",
    "区级": "县级", "县区级": "县级", "本级": "县级",
}
KIND_SYNONYMS = {
    "结转": "上年结转", "上年结转资金": "上年结转", "结转资金": "上年结转", "当年": "当年下达",
    "当年下达资金": "当年下达", "本年下达": "当年下达", "配套": "本级配套", "本级配套资金": "本级配套",
    "地方配套": "本级配套", "县级配套": "本级配套",
}
POOL_SYNONYMS = {
    "结转": "上年结转", "上年结转资金": "上年结转", "结转资金": "上年结转", "上年": "上年结转", "当年": "当年下达",
    "当年下达资金": "当年下达", "当年资金": "当年下达", "本年": "当年下达", "本年下达": "当年下达",
    "本级配套": "当年下达", "配套": "当年下达", "本级配套资金": "当年下达",
}
NATURE_SYNONYMS = {
    ">=": "≥", "大于等于": "≥", "不低于": "≥", "不少于": "≥", "≧": "≥", "大于": ">", "高于": ">",
    "等于": "=", "<=": "≤", "小于等于": "≤", "不高于": "≤", "不超过": "≤", "≦": "≤", "小于": "<", "低于": "<",
}
GRADE_SYNONYMS = {"已达成": "达成", "部分完成": "部分达成", "未完成": "未达成", "未达到": "未达成"}
SYNONYMS = {"level": LEVEL_SYNONYMS, "kind": KIND_SYNONYMS, "pool": POOL_SYNONYMS, "nature": NATURE_SYNONYMS,
            "grade": GRADE_SYNONYMS}
SIDES = ("收入", "支出")

INCOMES = Table("incomes", "资金来源", "资金来源表", (
    Column("level", "级次", "enum", LEVELS, True, ("资金级次", "资金层级", "层级", "级别"), 8),
    Column("kind", "类别", "enum", KINDS, True, ("资金类别", "资金性质", "来源类别", "收入类别"), 10),
    Column("doc_no", "文号", "text", aliases=("下达文号", "文件号", "指标文号", "文件文号"), width=22),
    Column("date", "下达日期", "date", aliases=("日期", "到账日期", "文件日期", "下达时间"), width=12),
    Column("amount", "金额（元）", "money", required=True, aliases=("下达金额", "资金金额", "到位金额", "收入金额"),
           width=16),
    Column("note", "备注", "text", aliases=("说明",), width=30),
    Column("lottery", "彩票公益金", "bool", aliases=("是否彩票公益金",), width=10),
), needs=("amount",), any_of=("level", "kind", "doc_no"), generic=True)

EXPENDITURES = Table("expenditures", "支出明细", "支出明细表", (
    Column("project", "项目名称", "text", aliases=("项目", "支出项目", "支出内容", "用途", "摘要", "事由", "采购项目"),
           width=30),
    Column("direction", "支出方向", "text", aliases=("资金用途方向", "方向", "用途类别", "支出类别"), width=18),
    Column("econ_class", "经济科目", "text",
           aliases=("经济分类", "支出经济分类", "经济分类科目", "政府经济分类", "部门经济分类", "科目"), width=14),
    Column("pool", "资金类别", "enum", POOLS, aliases=("资金来源", "资金渠道", "资金池"), width=10),
    Column("budget", "预算金额（元）", "money", aliases=("预算数", "预算", "合同金额", "计划金额"), width=16),
    Column("paid", "支付金额（元）", "money", required=True,
           aliases=("支出金额", "实际支付金额", "实付金额", "已支付金额", "付款金额", "实际支出", "支出数", "支付数",
                    "执行数", "金额"), width=16),
    Column("paid_on", "支付日期", "date", aliases=("付款日期", "支出日期", "记账日期", "凭证日期", "支付时间", "日期"),
           width=12),
    # The level whose allocation paid the line. A sheet's 资金来源 column that names levels
    # (中央资金, 省级…) rather than pools is read into this field (read.py).
    Column("level", "资金级次", "enum", LEVELS, aliases=("级次", "资金层级", "预算级次", "支出级次"), width=10),
    Column("refund", "退回", "bool", aliases=("是否退回", "退回冲减", "冲减"), width=8),
), needs=("paid",), any_of=("project", "paid_on", "direction", "econ_class"), generic=True)

INDICATORS = Table("indicators", "绩效指标", "绩效指标表", (
    Column("level1", "一级指标", "text", width=12),
    Column("level2", "二级指标", "text", width=12),
    Column("name", "三级指标", "text", required=True, aliases=("指标名称", "三级指标名称", "绩效指标名称", "指标内容"),
           width=30),
    Column("target_text", "年度指标值", "text",
           aliases=("指标值", "目标值", "年度目标值", "预期目标值", "全年目标值", "绩效目标值", "年度绩效目标值",
                    "指标目标值", "年度目标", "目标"), width=14),
    Column("nature", "指标性质", "enum", NATURES, aliases=("性质", "比较方式"), width=8),
    Column("target", "目标数值", "number", width=10),
    Column("unit", "计量单位", "text", aliases=("单位", "指标单位", "度量单位"), width=8),
    Column("weight", "分值", "number", aliases=("权重", "指标分值", "权重分值", "指标权重", "标准分", "分数"), width=8),
    Column("actual", "实际完成值", "number",
           aliases=("全年实际完成值", "年度实际完成值", "实际值", "完成值", "实际完成", "实际完成情况", "完成情况"),
           width=12),
    Column("numerator", "分子", "number", width=10),
    Column("denominator", "分母", "number", width=10),
    Column("grade", "评级", "enum", GRADES, aliases=("定性评级", "完成等级", "达成情况"), width=10),
    Column("score", "调整得分", "number", width=10),
    Column("override_reason", "调整理由", "text", aliases=("调整原因",), width=20),
    Column("deviation_reason", "偏差原因分析及改进措施", "text",
           aliases=("偏差原因分析和改进措施", "偏差原因及改进措施", "未完成原因和改进措施", "未完成原因分析及改进措施",
                    "原因分析及改进措施", "偏差原因分析", "偏差原因", "未完成原因", "原因分析"), width=40),
    Column("baseline", "上年实际值", "number", aliases=("上年完成值", "上年实际完成值"), width=10),
    Column("sheet_score", "得分", "number", aliases=("自评得分", "实际得分"), generic_only=True),
), needs=("name",), any_of=("target_text", "weight", "actual", "level1", "level2"), generic=True)

NARRATIVE = Table("narrative", "报告文字", "报告文字", (
    Column("key", "键", "text", width=16),
    Column("heading", "标题", "text", width=30),
    Column("text", "内容", "longtext", width=100),
), needs=("text",), any_of=("key", "heading"), generic=False)

BASIS = Table("basis", "依据文件", "依据文件", (
    Column("title", "文件名称", "text", width=70),
    Column("doc_no", "文号", "text", width=24),
), needs=("doc_no",), any_of=("title",), generic=False)

WEIGHTS = Table("weights", "一级指标权重", "一级指标权重", (
    Column("name", "一级指标", "text", required=True, width=16),
    Column("weight", "权重", "number", required=True, width=10),
), needs=("name", "weight"), any_of=("name",), generic=False)

FUND_LINES = Table("fund_lines", "基金运行", "基金运行收支", (
    Column("side", "收支", "enum", SIDES, required=True, width=8),
    Column("category", "类别", "text", width=30),
    Column("budget", "预算数（元）", "money", width=18),
    Column("actual", "实际数（元）", "money", required=True, width=18),
), needs=("side", "actual"), any_of=("category",), generic=False)

TABLES = (INCOMES, EXPENDITURES, INDICATORS, NARRATIVE, BASIS, WEIGHTS, FUND_LINES)
GENERIC_TABLES = tuple(t for t in TABLES if t.generic)
INFO_SHEET = "报告信息"

REVERSE_RULE_LABELS = {"linear": "线性扣分", "ratio": "目标值÷实际值"}
GRADE_LABEL_ROWS = ("等级名称：90分及以上", "等级名称：80至90分", "等级名称：60至80分", "等级名称：60分以下")


@dataclass(frozen=True)
class InfoRow:
    label: str
    target: str  # "meta.unit", "previous.year", "scoring.reverse_rule", "fund_operation.income_total",
    # "grade_labels.0", "fo" (whether the report has a fund-operation block)
    kind: str  # text | opttext | int | optint | number | money | enum | bool
    choices: tuple[str, ...] = ()  # what the cell shows (labels)
    codes: tuple[str, ...] = ()  # enum: the stored value of each choice


INFO_ROWS = (
    InfoRow("单位名称", "meta.unit", "text"),
    InfoRow("报告年度", "meta.year", "int"),
    InfoRow("资金类型", "meta.fund_type", "enum", tuple(FUND_TYPE_LABELS.values()), tuple(FUND_TYPE_LABELS)),
    InfoRow("报告标题（空白时按默认标题）", "meta.title", "opttext"),
    InfoRow("主管部门", "meta.competent_dept", "text"),
    InfoRow("上年度（同比）：年度", "previous.year", "optint"),
    InfoRow("上年度（同比）：可用资金（元）", "previous.available", "money"),
    InfoRow("上年度（同比）：已支出（元）", "previous.paid", "money"),
    InfoRow("预算执行率分值", "scoring.budget_execution_weight", "number"),
    InfoRow("逆向指标计分规则", "scoring.reverse_rule", "enum", tuple(REVERSE_RULE_LABELS.values()),
            tuple(REVERSE_RULE_LABELS)),
    InfoRow("是否评分（否：只填中央对地方转移支付区域绩效自评表）", "scoring.scored", "bool", ("是", "否")),
    InfoRow("评分方案", "scoring.profile", "enum", tuple(p.label for p in PROFILES.values()), tuple(PROFILES)),
    InfoRow("超额完成扣分", "scoring.overachieve_penalty", "bool", ("是", "否")),
    InfoRow("按执行率封顶总分", "scoring.execution_cap", "bool", ("是", "否")),
    *(InfoRow(label, f"grade_labels.{i}", "text") for i, label in enumerate(GRADE_LABEL_ROWS)),
    InfoRow("基金运行情况", "fo", "bool", ("有", "无")),
    InfoRow("基金收入合计（元）", "fund_operation.income_total", "money"),
    InfoRow("基金支出合计（元）", "fund_operation.expense_total", "money"),
    InfoRow("当年结余（元）", "fund_operation.year_balance", "money"),
    InfoRow("累计结余（元）", "fund_operation.closing_balance", "money"),
    InfoRow("参保人数", "fund_operation.insured_persons", "optint"),
    InfoRow("户籍人口数", "fund_operation.registered_population", "optint"),
    InfoRow("常住人口数", "fund_operation.resident_population", "optint"),
)

# ------------------------------------------------------------------------------ headers

_BRACKETS_RE = re.compile(r"[（(【\[]([^）)】\]]*)[）)】\]]")
_UNIT_TAIL_RE = re.compile(r"[/／](万元|元|%)$")
_YEAR_HEAD_RE = re.compile(r"^\d{4}(年度|年)?")


def norm_header(value: object) -> tuple[str, str]:
    """(header key, unit hint) of a header cell: '支付金额（万元）' -> ('支付金额', '万元');
    '* 2024年度指标值' -> ('指标值', ''); full-width forms, spaces and line breaks ignored."""
    if not isinstance(value, str):
        return "", ""
    raw = unicodedata.normalize("NFKC", value)
    raw = re.sub(r"\s+", "", raw).strip("*★:：")
    unit = ""
    for m in _BRACKETS_RE.finditer(raw):
        inner = m.group(1)
        if "万元" in inner:
            unit = "万元"
        elif "元" in inner and not unit:
            unit = "元"
        elif "%" in inner and not unit:
            unit = "%"
    raw = _BRACKETS_RE.sub("", raw)
    m = _UNIT_TAIL_RE.search(raw)
    if m:
        unit = unit or m.group(1)
        raw = raw[: m.start()]
    return _YEAR_HEAD_RE.sub("", raw), unit


def alias_index(table: Table, data_mode: bool) -> dict[str, tuple[str, int]]:
    """header key -> (field, priority); lower priority numbers win when two columns compete."""
    out: dict[str, tuple[str, int]] = {}
    for col in table.columns:
        if data_mode and col.generic_only:
            continue
        names = (col.header,) if data_mode else (col.header, *col.aliases)
        for rank, name in enumerate(names):
            key, _ = norm_header(name)
            if key and key not in out:
                out[key] = (col.field, rank)
    return out


_ALIASES: dict[tuple[str, bool], dict[str, tuple[str, int]]] = {}


def aliases(table: Table, data_mode: bool) -> dict[str, tuple[str, int]]:
    key = (table.kind, data_mode)
    if key not in _ALIASES:
        _ALIASES[key] = alias_index(table, data_mode)
    return _ALIASES[key]

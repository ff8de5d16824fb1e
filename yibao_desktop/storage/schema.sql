-- Schema of a .yibao report document, current version (see migrations.SCHEMA_VERSION).
-- Values are TEXT in the interchange encoding: money "600000.00", numbers "44.49",
-- dates "2024-03-01", never REAL. Row tables keep their order in `pos`.
CREATE TABLE kv (
    section TEXT NOT NULL,          -- meta | scoring | fund_operation | document
    key TEXT NOT NULL,
    value TEXT,                     -- JSON-encoded value
    PRIMARY KEY (section, key)
);
CREATE TABLE basis (
    id INTEGER PRIMARY KEY, pos INTEGER NOT NULL,
    title TEXT NOT NULL DEFAULT '', doc_no TEXT NOT NULL DEFAULT ''
);
CREATE TABLE income (
    id INTEGER PRIMARY KEY, pos INTEGER NOT NULL,
    level TEXT NOT NULL, kind TEXT NOT NULL, doc_no TEXT NOT NULL DEFAULT '', date TEXT,
    amount TEXT NOT NULL, note TEXT NOT NULL DEFAULT '',
    lottery INTEGER NOT NULL DEFAULT 0      -- 彩票公益金 (1) or not (0)
);
CREATE TABLE expenditure (
    id INTEGER PRIMARY KEY, pos INTEGER NOT NULL,
    project TEXT NOT NULL DEFAULT '', direction TEXT NOT NULL DEFAULT '', econ_class TEXT NOT NULL DEFAULT '',
    pool TEXT NOT NULL, budget TEXT, paid TEXT NOT NULL, paid_on TEXT,
    level TEXT,                             -- the level that paid it (资金级次), NULL: not recorded
    refund INTEGER NOT NULL DEFAULT 0       -- a 退回/冲减 line (1): negative amount allowed
);
CREATE TABLE fund_op_line (
    id INTEGER PRIMARY KEY, side TEXT NOT NULL CHECK (side IN ('income', 'expense')), pos INTEGER NOT NULL,
    category TEXT NOT NULL DEFAULT '', budget TEXT, actual TEXT NOT NULL
);
CREATE TABLE indicator (
    id INTEGER PRIMARY KEY, pos INTEGER NOT NULL,
    level1 TEXT NOT NULL DEFAULT '', level2 TEXT NOT NULL DEFAULT '', name TEXT NOT NULL DEFAULT '',
    nature TEXT, target TEXT, unit TEXT NOT NULL DEFAULT '', target_text TEXT NOT NULL DEFAULT '',
    weight TEXT NOT NULL, actual TEXT, numerator TEXT, denominator TEXT, grade TEXT, score TEXT,
    override_reason TEXT NOT NULL DEFAULT '', deviation_reason TEXT NOT NULL DEFAULT '',
    baseline TEXT,
    evidence TEXT NOT NULL DEFAULT '[]'     -- 佐证材料: JSON [{"name", "sha256", "size"}]
);
CREATE TABLE narrative (
    id INTEGER PRIMARY KEY, pos INTEGER NOT NULL,
    key TEXT NOT NULL, heading TEXT NOT NULL DEFAULT '', text TEXT NOT NULL DEFAULT ''
);
CREATE TABLE evidence (
    id INTEGER PRIMARY KEY, pos INTEGER NOT NULL,
    name TEXT NOT NULL, sha256 TEXT NOT NULL, size INTEGER NOT NULL
);
CREATE TABLE blob (
    sha256 TEXT PRIMARY KEY,        -- the contents of every attached file, once
    data BLOB NOT NULL
);
CREATE TABLE audit (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,               -- local time, ISO 8601
    target TEXT NOT NULL,           -- e.g. "indicators[3]", "meta"
    field TEXT NOT NULL,            -- field name, or "插入行" / "删除行" / "移动行"
    old TEXT,
    new TEXT
);
CREATE INDEX income_pos ON income (pos);
CREATE INDEX expenditure_pos ON expenditure (pos);
CREATE INDEX fund_op_line_pos ON fund_op_line (side, pos);
CREATE INDEX indicator_pos ON indicator (pos);
CREATE INDEX narrative_pos ON narrative (pos);
CREATE INDEX basis_pos ON basis (pos);
CREATE INDEX evidence_pos ON evidence (pos);

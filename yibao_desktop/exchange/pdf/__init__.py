"""The PDF report: GB/T 9704 typesetting, tables, charts and fonts (ReportLab, no Qt)."""

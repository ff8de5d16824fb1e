"""Import and export (openpyxl, ReportLab, pyHanko): pure functions, no Qt."""

"""Table models: each adapts one row collection of the report (STYLE.md §5)."""

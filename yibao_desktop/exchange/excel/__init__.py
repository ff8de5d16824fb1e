"""Excel workbooks: the official forms and the data workbook (write), tolerant import (read)."""

"""Use cases, once, Qt-free (STYLE.md §19): the command line, the window and `--self-test` are thin
faces over these functions and never import each other.

- `reports`: open, create, new from a template, load/dump JSON, compute, check, the demo;
- `nextyear`: next year's report from last year's .yibao or Excel (the year check lives here);
- `export`: the PDF (draft, final or signed), refused while errors remain;
- `excel`: the official forms and the data workbook, Excel import;
- `keystore`: the unit certificate, the seal, the trust list and PDF verification;
- `submission`: the package on a USB stick, and its verification.
- `aggregate`: the receiving end's totals over many packages (verified in parallel), as a workbook and PDF.
"""

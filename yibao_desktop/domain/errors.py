"""Expected failures. Each carries a Chinese message fit to show a county user as is."""


class UserError(Exception):
    """An expected failure caused by input or environment; `str(err)` is the Chinese message."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ValueParseError(UserError):
    """A single value (amount, date, number, enum) could not be understood."""


class ReportFormatError(UserError):
    """Interchange JSON is malformed; the message names the JSON path."""

    def __init__(self, path: str, message: str):
        super().__init__(f"{path}：{message}" if path else message)
        self.path = path
        self.detail = message


class DocumentError(UserError):
    """A .yibao file cannot be opened or written (not ours, corrupt, too new, locked, disk full)."""


class TemplateError(UserError):
    """A bundled template is missing or inconsistent."""

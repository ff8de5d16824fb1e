"""yibao-desktop (医保绩效自评助手): offline performance self-evaluation for county medical-security bureaus."""

__version__ = "0.1.0"

"""Pure-Python domain: the report model, parsing rules and the one calculation. No Qt, no I/O."""

"""The `rsconnect` commands, one module per group. Each reads its input, calls the core, formats the answer."""

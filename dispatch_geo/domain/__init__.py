"""Domain value types and rules: pure, no I/O."""

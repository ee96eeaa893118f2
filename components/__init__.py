"""Layout builders: pure functions returning Dash components."""

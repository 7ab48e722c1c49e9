"""Showing runs: one reporter for local and cloud executions (text, JSON, a self-contained HTML
report), Graphviz pictures of state machine definitions, progress bars for long work.

Everything here reads GetExecutionHistory-shaped events, which the local engine emits and Step
Functions returns, so a run looks the same wherever it happened.
"""

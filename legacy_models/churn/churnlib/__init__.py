"""Helpers shared by the churn model's scripts (imported by predict.py from /opt/ml/code)."""

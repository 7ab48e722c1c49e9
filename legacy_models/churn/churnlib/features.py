"""Feature engineering of the churn model: the same code at training and prediction time."""

import numpy as np
import pandas as pd

PLANS = ["basic", "plus", "premium"]
FEATURES = [
    "tenure_months",
    "monthly_fee",
    "mean_minutes",
    "minutes_trend",
    "support_calls",
    "plan_plus",
    "plan_premium",
]


def feature_matrix(customers: pd.DataFrame) -> np.ndarray:
    """Model inputs from one row per customer (the preprocessing step's output)."""
    table = customers.copy()
    for plan in PLANS[1:]:
        table[f"plan_{plan}"] = (table["plan"] == plan).astype(float)
    return table[FEATURES].to_numpy(dtype=np.float64)

"""Train the churn model on generated customers and write the sample input, offline and
reproducibly (fixed seeds).

Run inside the model's image (legacy_models/regenerate.py): writes artifacts/model.joblib,
artifacts/settings.json and sample/input/{customers,usage_*}.csv.
"""

import json
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
from churnlib.features import PLANS, feature_matrix
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

FEES = {"basic": 15.0, "plus": 30.0, "premium": 55.0}


def generate(rng: np.random.Generator, count: int, prefix: str):
    """Customers and six months of usage; churners use less over time and call support more."""
    plans = rng.choice(PLANS, size=count, p=[0.5, 0.3, 0.2])
    churn = rng.random(count) < 0.3
    customers = pd.DataFrame(
        {
            "customer_id": [f"{prefix}{i:04d}" for i in range(count)],
            "plan": plans,
            "tenure_months": rng.integers(1, 72, count),
            "monthly_fee": [FEES[p] for p in plans],
        }
    )
    usage = []
    for i, customer in enumerate(customers["customer_id"]):
        base = rng.uniform(100, 600)
        slope = rng.normal(-25 if churn[i] else 5, 10)
        for month in range(1, 7):
            usage.append(
                {
                    "customer_id": customer,
                    "month": f"2024-{month:02d}",
                    "minutes": round(max(0.0, base + slope * month + rng.normal(0, 20)), 1),
                    "support_calls": int(rng.poisson(1.5 if churn[i] else 0.4)),
                }
            )
    return customers, pd.DataFrame(usage), churn


def join(customers: pd.DataFrame, usage: pd.DataFrame) -> pd.DataFrame:
    usage = usage.sort_values(["customer_id", "month"])
    per = usage.groupby("customer_id").agg(
        mean_minutes=("minutes", "mean"),
        first_minutes=("minutes", "first"),
        last_minutes=("minutes", "last"),
        support_calls=("support_calls", "sum"),
    )
    per["minutes_trend"] = per["last_minutes"] - per["first_minutes"]
    return customers.merge(per.reset_index(), on="customer_id")


rng = np.random.default_rng(2024)
customers, usage, churn = generate(rng, 2000, "T")
model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000, random_state=0))
model.fit(feature_matrix(join(customers, usage)), churn)
Path("artifacts").mkdir(exist_ok=True)
joblib.dump(model, "artifacts/model.joblib")
settings = {"threshold": 0.5, "model_version": "churn-2024.06"}
Path("artifacts/settings.json").write_text(json.dumps(settings, indent=2) + "\n")

# The sample: one CRM export and usage split across two monthly exports.
customers, usage, _ = generate(np.random.default_rng(99), 40, "C")
Path("sample/input").mkdir(parents=True, exist_ok=True)
customers.to_csv("sample/input/customers.csv", index=False)
usage[usage["month"] <= "2024-03"].to_csv("sample/input/usage_q1.csv", index=False)
usage[usage["month"] > "2024-03"].to_csv("sample/input/usage_q2.csv", index=False)
print("trained artifacts/ and wrote sample/input/")

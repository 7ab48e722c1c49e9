"""The churn scorer as it ran on the retention team's desktop, before LegacyLift: one script
joining the CRM export with monthly usage, scoring each customer and writing the call list and
a summary.

    python legacy/original.py INPUT_DIR OUTPUT_DIR

sample/expected/ is this script's output for sample/input/.
"""

import json
import sys
from pathlib import Path

import joblib
import pandas as pd
from churnlib.features import feature_matrix

input_dir, output_dir = Path(sys.argv[1]), Path(sys.argv[2])

customers = pd.concat([pd.read_csv(p) for p in sorted(input_dir.rglob("customers*.csv"))])
usage = pd.concat([pd.read_csv(p) for p in sorted(input_dir.rglob("usage*.csv"))])
usage = usage.sort_values(["customer_id", "month"])
per_customer = usage.groupby("customer_id").agg(
    mean_minutes=("minutes", "mean"),
    first_minutes=("minutes", "first"),
    last_minutes=("minutes", "last"),
    support_calls=("support_calls", "sum"),
)
per_customer["minutes_trend"] = per_customer["last_minutes"] - per_customer["first_minutes"]
table = customers.merge(per_customer.reset_index(), on="customer_id", how="inner")
table = table.sort_values("customer_id").reset_index(drop=True)

model = joblib.load("artifacts/model.joblib")
settings = json.loads(Path("artifacts/settings.json").read_text())
probability = model.predict_proba(feature_matrix(table))[:, 1]

scored = pd.DataFrame(
    {
        "customer_id": table["customer_id"],
        "plan": table["plan"],
        "churn_probability": probability.round(3),
    }
)
at_risk = scored[scored["churn_probability"] >= settings["threshold"]]
at_risk = at_risk.sort_values(["churn_probability", "customer_id"], ascending=[False, True])
summary = {
    "model_version": settings["model_version"],
    "customers": int(len(scored)),
    "at_risk": int(len(at_risk)),
    "at_risk_by_plan": {p: int(n) for p, n in at_risk["plan"].value_counts().sort_index().items()},
    "mean_probability": round(float(scored["churn_probability"].mean()), 3),
}
output_dir.mkdir(parents=True, exist_ok=True)
at_risk.to_csv(output_dir / "call_list.csv", index=False)
(output_dir / "summary.json").write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n")
print(f"{summary['at_risk']} of {summary['customers']} customers at risk")

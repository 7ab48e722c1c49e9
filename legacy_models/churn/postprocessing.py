"""Step 3 of the churn scorer (script mode, framework image): call list and summary.

Reads scores.csv and scoring.json from the input directory and writes call_list.csv (customers
at or above the threshold, most at risk first) and summary.json.
"""

import json
import sys
from pathlib import Path

import pandas as pd


def summarise(scores: pd.DataFrame, settings: dict) -> tuple[pd.DataFrame, dict]:
    """The call list and the summary the retention team reads."""
    at_risk = scores[scores["churn_probability"] >= settings["threshold"]]
    at_risk = at_risk.sort_values(["churn_probability", "customer_id"], ascending=[False, True])
    by_plan = at_risk["plan"].value_counts().sort_index()
    summary = {
        "model_version": settings["model_version"],
        "customers": int(len(scores)),
        "at_risk": int(len(at_risk)),
        "at_risk_by_plan": {plan: int(count) for plan, count in by_plan.items()},
        "mean_probability": round(float(scores["churn_probability"].mean()), 3),
    }
    return at_risk, summary


def main(input_dir: Path, output_dir: Path) -> None:
    scores = pd.concat([pd.read_csv(p) for p in sorted(input_dir.rglob("*.csv"))])
    settings = json.loads(next(input_dir.rglob("scoring.json")).read_text())
    at_risk, summary = summarise(scores, settings)
    output_dir.mkdir(parents=True, exist_ok=True)
    at_risk.to_csv(output_dir / "call_list.csv", index=False)
    (output_dir / "summary.json").write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n")
    print(f"{summary['at_risk']} of {summary['customers']} customers at risk")


if __name__ == "__main__":
    args = sys.argv[1:] + [None, None]
    main(
        Path(args[0] or "/opt/ml/processing/input/data"),
        Path(args[1] or "/opt/ml/processing/output"),
    )

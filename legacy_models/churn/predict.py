"""Step 2 of the churn scorer (the model's own image): churn probability per customer.

Imports the helper package churnlib from beside it, loads artifacts/model.joblib and
artifacts/settings.json relative to the working directory (/opt/ml/code), and writes two
outputs: scores.csv and scoring.json (the threshold and model version the next step needs).
"""

import json
import sys
from pathlib import Path

import joblib
import pandas as pd
from churnlib.features import feature_matrix


def main(input_dir: Path, output_dir: Path) -> None:
    table = pd.concat([pd.read_csv(p) for p in sorted(input_dir.rglob("*.csv"))])
    model = joblib.load("artifacts/model.joblib")
    settings = json.loads(Path("artifacts/settings.json").read_text())
    probability = model.predict_proba(feature_matrix(table))[:, 1]
    scores = pd.DataFrame(
        {
            "customer_id": table["customer_id"],
            "plan": table["plan"],
            "churn_probability": probability.round(3),
        }
    )
    output_dir.mkdir(parents=True, exist_ok=True)
    scores.to_csv(output_dir / "scores.csv", index=False)
    (output_dir / "scoring.json").write_text(json.dumps(settings, sort_keys=True) + "\n")
    print(f"scored {len(scores)} customers")


if __name__ == "__main__":
    args = sys.argv[1:] + [None, None]
    main(
        Path(args[0] or "/opt/ml/processing/input/data"),
        Path(args[1] or "/opt/ml/processing/output"),
    )

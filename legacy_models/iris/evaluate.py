"""Evaluate the iris classifier: accuracy on labelled measurements.

Loads model.joblib from the working directory (as predict.py does), reads every CSV under the
input directory (columns sepal_length, sepal_width, petal_length, petal_width, species) and
writes metrics.json ({"accuracy": ..., "flowers": ...}) to the output directory.
`python evaluate.py IN_DIR OUT_DIR` runs it elsewhere.
"""

import json
import sys
from pathlib import Path

import joblib
import pandas as pd

FEATURES = ["sepal_length", "sepal_width", "petal_length", "petal_width"]


def main(input_dir: Path, output_dir: Path) -> None:
    table = pd.concat([pd.read_csv(path) for path in sorted(input_dir.rglob("*.csv"))])
    predicted = joblib.load("model.joblib").predict(table[FEATURES].to_numpy())
    accuracy = float((predicted == table["species"].to_numpy()).mean())
    output_dir.mkdir(parents=True, exist_ok=True)
    metrics = {"accuracy": round(accuracy, 6), "flowers": len(table)}
    (output_dir / "metrics.json").write_text(json.dumps(metrics, indent=2))
    print(f"accuracy {accuracy:.4f} on {len(table)} flowers")


if __name__ == "__main__":
    args = sys.argv[1:] + [None, None]
    main(
        Path(args[0] or "/opt/ml/processing/input/data"),
        Path(args[1] or "/opt/ml/processing/output"),
    )

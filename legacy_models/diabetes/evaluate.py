"""Evaluate the diabetes forecaster: errors on patients whose progression is known.

Loads model/lgbm.txt relative to the working directory (as predict.py does), reads every CSV
under the input directory (the ten feature columns and progression) and writes metrics.json
({"scores": {"rmse": ..., "mae": ...}, "patients": ...}) to the output directory.
`python evaluate.py IN_DIR OUT_DIR` runs it elsewhere.
"""

import json
import sys
from pathlib import Path

import lightgbm as lgb
import numpy as np
import pandas as pd

FEATURES = ["age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6"]


def main(input_dir: Path, output_dir: Path) -> None:
    table = pd.concat([pd.read_csv(path) for path in sorted(input_dir.rglob("*.csv"))])
    booster = lgb.Booster(model_file="model/lgbm.txt")
    errors = booster.predict(table[FEATURES].to_numpy(dtype=np.float64)) - table["progression"]
    scores = {
        "rmse": round(float(np.sqrt(np.mean(errors**2))), 4),
        "mae": round(float(np.mean(np.abs(errors))), 4),
    }
    output_dir.mkdir(parents=True, exist_ok=True)
    metrics = {"scores": scores, "patients": len(table)}
    (output_dir / "metrics.json").write_text(json.dumps(metrics, indent=2))
    print(f"rmse {scores['rmse']} on {len(table)} patients")


if __name__ == "__main__":
    args = sys.argv[1:] + [None, None]
    main(
        Path(args[0] or "/opt/ml/processing/input/data"),
        Path(args[1] or "/opt/ml/processing/output"),
    )

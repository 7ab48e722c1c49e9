"""Step 2 of the diabetes forecaster (the model's own image, which carries libgomp1 for
LightGBM): one-year disease progression per patient.

Reads features.csv files under the input directory, loads model/lgbm.txt relative to the
working directory and writes forecast.csv. `python predict.py IN_DIR OUT_DIR` runs it elsewhere.
"""

import sys
from pathlib import Path

import lightgbm as lgb
import numpy as np
import pandas as pd

FEATURES = ["age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6"]


def main(input_dir: Path, output_dir: Path) -> None:
    frames = [pd.read_csv(path) for path in sorted(input_dir.rglob("*.csv"))]
    patients = pd.concat(frames, ignore_index=True)
    booster = lgb.Booster(model_file="model/lgbm.txt")
    forecast = booster.predict(patients[FEATURES].to_numpy(dtype=np.float64))
    output_dir.mkdir(parents=True, exist_ok=True)
    result = pd.DataFrame({"patient_id": patients["patient_id"], "forecast": forecast})
    result.to_csv(output_dir / "forecast.csv", index=False)
    print(f"forecast {len(result)} patients")


if __name__ == "__main__":
    args = sys.argv[1:] + [None, None]
    main(
        Path(args[0] or "/opt/ml/processing/input/data"),
        Path(args[1] or "/opt/ml/processing/output"),
    )

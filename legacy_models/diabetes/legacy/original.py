"""The diabetes progression forecaster as it ran on a clinician's desktop, before LegacyLift:
one script reading exported patient records (JSON lines), forecasting disease progression with
a LightGBM model and writing a banded report.

    python legacy/original.py INPUT_DIR OUTPUT_DIR

sample/expected/ is this script's output for sample/input/.
"""

import json
import sys
from pathlib import Path

import lightgbm as lgb
import numpy as np
import pandas as pd

FEATURES = ["age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6"]
BANDS = [(0, 100, "low"), (100, 180, "medium"), (180, float("inf"), "high")]

input_dir, output_dir = Path(sys.argv[1]), Path(sys.argv[2])

records = []
for path in sorted(input_dir.rglob("*.jsonl")):
    records += [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
patients = pd.DataFrame.from_records(records)
patients["sex"] = patients["sex"].map({"F": 1.0, "M": 2.0})
patients = patients.dropna(subset=FEATURES).sort_values("patient_id").reset_index(drop=True)

booster = lgb.Booster(model_file="model/lgbm.txt")
forecast = booster.predict(patients[FEATURES].to_numpy(dtype=np.float64))

rounded = np.round(forecast, 1)
report = pd.DataFrame(
    {
        "patient_id": patients["patient_id"],
        "progression": rounded,
        "band": [next(b for lo, hi, b in BANDS if lo <= value < hi) for value in rounded],
    }
)
output_dir.mkdir(parents=True, exist_ok=True)
report.to_csv(output_dir / "progression_report.csv", index=False)
print(f"forecast {len(report)} patients")

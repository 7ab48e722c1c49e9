"""Train the LightGBM progression regressor and write the sample input, offline and
reproducibly (single thread, fixed seeds, deterministic mode).

Run inside the model's image (legacy_models/regenerate.py): writes model/lgbm.txt (LightGBM's
portable text format) and sample/input/*.jsonl.
"""

import json
from pathlib import Path

import lightgbm as lgb
import numpy as np
from sklearn.datasets import load_diabetes

FEATURES = ["age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6"]

data = load_diabetes(scaled=False)
params = {
    "objective": "regression",
    "learning_rate": 0.05,
    "num_leaves": 15,
    "min_data_in_leaf": 10,
    "seed": 0,
    "deterministic": True,
    "force_row_wise": True,
    "num_threads": 1,
    "verbose": -1,
}
booster = lgb.train(params, lgb.Dataset(data.data, data.target, feature_name=FEATURES), 150)
Path("model").mkdir(exist_ok=True)
booster.save_model("model/lgbm.txt")

# Two clinic exports of 15 patients each, as JSON lines with sex as a letter; one record in
# each lacks its blood pressure.
rng = np.random.default_rng(11)
rows = data.data[rng.choice(len(data.data), size=30, replace=False)]
Path("sample/input").mkdir(parents=True, exist_ok=True)
for clinic, part in enumerate(np.array_split(rows, 2), start=1):
    with open(f"sample/input/clinic_{clinic}.jsonl", "w") as handle:
        for i, row in enumerate(part):
            record = {name: round(float(v), 4) for name, v in zip(FEATURES, row, strict=True)}
            record["sex"] = "F" if row[1] == 1 else "M"
            record["patient_id"] = f"C{clinic}-{i:03d}"
            if i == 5:
                record["bp"] = None
            handle.write(json.dumps(record) + "\n")
print("trained model/lgbm.txt and wrote sample/input/")

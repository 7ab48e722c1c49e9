"""Train the LightGBM progression regressor, offline and reproducibly (single thread, fixed
seeds, deterministic mode).

`python train.py` (legacy_models/regenerate.py, inside the model's image) trains on
scikit-learn's bundled diabetes data and writes model/lgbm.txt (LightGBM's portable text
format) and sample/input/*.jsonl. `python train.py DATA_DIR` trains on every CSV under DATA_DIR
instead (the ten feature columns and progression, the target), as the training workflow runs
it; it writes only model/lgbm.txt.
"""

import json
import sys
from pathlib import Path

import lightgbm as lgb
import numpy as np
import pandas as pd
from sklearn.datasets import load_diabetes

FEATURES = ["age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6"]

data = load_diabetes(scaled=False)
if len(sys.argv) > 1:
    table = pd.concat([pd.read_csv(p) for p in sorted(Path(sys.argv[1]).rglob("*.csv"))])
    features, target = table[FEATURES].to_numpy(dtype=np.float64), table["progression"].to_numpy()
else:
    features, target = data.data, data.target
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
booster = lgb.train(params, lgb.Dataset(features, target, feature_name=FEATURES), 150)
Path("model").mkdir(exist_ok=True)
booster.save_model("model/lgbm.txt")
print(f"trained model/lgbm.txt on {len(target)} patients")
if len(sys.argv) > 1:
    sys.exit(0)

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
print("wrote sample/input/")

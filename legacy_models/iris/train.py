"""Train the iris classifier, reproducibly and offline.

`python train.py` (legacy_models/regenerate.py, inside the model's image) trains on
scikit-learn's bundled iris data and writes model.joblib and sample/input/*.csv, from which
legacy/original.py produces sample/expected/. `python train.py DATA_DIR` trains on every CSV
under DATA_DIR instead (columns sepal_length, sepal_width, petal_length, petal_width and
species, the class index), as the training workflow runs it; it writes only model.joblib.
"""

import sys
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

FEATURES = ["sepal_length", "sepal_width", "petal_length", "petal_width"]

iris = load_iris()
if len(sys.argv) > 1:
    table = pd.concat([pd.read_csv(p) for p in sorted(Path(sys.argv[1]).rglob("*.csv"))])
    data, target = table[FEATURES].to_numpy(), table["species"].to_numpy()
else:
    data, target = iris.data, iris.target
model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000, random_state=0))
model.fit(data, target)
joblib.dump(model, "model.joblib")
print(f"trained model.joblib on {len(data)} flowers")
if len(sys.argv) > 1:
    sys.exit(0)

# Two "sheets" of new measurements as a field team would send them: perturbed iris rows,
# spreadsheet-style column names, one incomplete row each.
rng = np.random.default_rng(7)
columns = ["Sepal Length (cm)", "Sepal Width (cm)", "Petal Length (cm)", "Petal Width (cm)"]
rows = iris.data[rng.choice(len(iris.data), size=24, replace=False)]
rows = np.round(rows + rng.normal(0, 0.15, rows.shape), 1)
Path("sample/input").mkdir(parents=True, exist_ok=True)
for sheet, part in enumerate(np.array_split(rows, 2)):
    frame = pd.DataFrame(part, columns=columns)
    frame.insert(0, "flower_id", [f"F{sheet}{i:02d}" for i in range(len(part))])
    frame.loc[3, columns[1]] = np.nan
    frame.to_csv(f"sample/input/sheet_{sheet + 1}.csv", index=False)
print("wrote sample/input/")

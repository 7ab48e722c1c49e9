"""Train the iris classifier and write the sample input, reproducibly and offline.

Run inside the model's image (see legacy_models/README.md): it writes model.joblib and
sample/input/*.csv; legacy/original.py then produces sample/expected/.
"""

from pathlib import Path

import joblib
import numpy as np
import pandas as pd
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

iris = load_iris()
model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000, random_state=0))
model.fit(iris.data, iris.target)
joblib.dump(model, "model.joblib")

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
print("trained model.joblib and wrote sample/input/")

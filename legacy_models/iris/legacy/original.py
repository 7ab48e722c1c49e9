"""The iris classifier as it ran on the analyst's desktop, before LegacyLift: one script that
reads a folder of measurement sheets, cleans them, classifies each flower and writes a report.

    python legacy/original.py INPUT_DIR OUTPUT_DIR

Kept unchanged to show the split (preprocessing.py, predict.py, postprocessing.py) does the same;
sample/expected/ is this script's output for sample/input/.
"""

import sys
from pathlib import Path

import joblib
import pandas as pd

SPECIES = ["setosa", "versicolor", "virginica"]
FEATURES = ["sepal_length", "sepal_width", "petal_length", "petal_width"]

input_dir, output_dir = Path(sys.argv[1]), Path(sys.argv[2])

# Clean: every sheet in the folder, normalised column names, incomplete rows dropped.
frames = [pd.read_csv(path) for path in sorted(input_dir.rglob("*.csv"))]
data = pd.concat(frames, ignore_index=True)
data.columns = [c.strip().lower().replace(" (cm)", "").replace(" ", "_") for c in data.columns]
data = data.dropna(subset=FEATURES).sort_values("flower_id").reset_index(drop=True)

# Classify with the model trained by train.py (a path relative to the working directory).
model = joblib.load("model.joblib")
probabilities = model.predict_proba(data[FEATURES].to_numpy())
classes = probabilities.argmax(axis=1)

# Report: species name and confidence, rounded for the spreadsheet.
report = pd.DataFrame(
    {
        "flower_id": data["flower_id"],
        "species": [SPECIES[c] for c in classes],
        "confidence": probabilities.max(axis=1).round(4),
    }
)
output_dir.mkdir(parents=True, exist_ok=True)
report.to_csv(output_dir / "species_report.csv", index=False)
print(f"classified {len(report)} flowers")

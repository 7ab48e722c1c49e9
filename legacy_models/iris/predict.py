"""Step 2 of the iris classifier (the model's own image): class probabilities per flower.

Reads every CSV under the input directory (preprocessing's features.csv), loads model.joblib
from the working directory (/opt/ml/code in the image) and writes predictions.csv.
`python predict.py IN_DIR OUT_DIR` runs it elsewhere.
"""

import sys
from pathlib import Path

import joblib
import pandas as pd

FEATURES = ["sepal_length", "sepal_width", "petal_length", "petal_width"]


def predict(model, features: pd.DataFrame) -> pd.DataFrame:
    """One row per flower: the most likely class and its probability."""
    probabilities = model.predict_proba(features[FEATURES].to_numpy())
    return pd.DataFrame(
        {
            "flower_id": features["flower_id"],
            "class_index": probabilities.argmax(axis=1),
            "probability": probabilities.max(axis=1),
        }
    )


def main(input_dir: Path, output_dir: Path) -> None:
    frames = [pd.read_csv(path) for path in sorted(input_dir.rglob("*.csv"))]
    predictions = predict(joblib.load("model.joblib"), pd.concat(frames, ignore_index=True))
    output_dir.mkdir(parents=True, exist_ok=True)
    predictions.to_csv(output_dir / "predictions.csv", index=False)
    print(f"predicted {len(predictions)} flowers")


if __name__ == "__main__":
    args = sys.argv[1:] + [None, None]
    main(
        Path(args[0] or "/opt/ml/processing/input/data"),
        Path(args[1] or "/opt/ml/processing/output"),
    )

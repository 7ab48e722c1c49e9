"""Step 1 of the iris classifier (script mode, framework image): clean the measurement sheets.

Reads every CSV under the input directory, normalises column names, drops incomplete rows and
writes features.csv. Directories default to the SageMaker Processing paths; pass others as
arguments to run it outside a container: `python preprocessing.py IN_DIR OUT_DIR`.
"""

import sys
from pathlib import Path

import pandas as pd

FEATURES = ["sepal_length", "sepal_width", "petal_length", "petal_width"]


def clean(data: pd.DataFrame) -> pd.DataFrame:
    """Normalised column names, complete rows only, ordered by flower id."""
    data.columns = [c.strip().lower().replace(" (cm)", "").replace(" ", "_") for c in data.columns]
    data = data.dropna(subset=FEATURES).sort_values("flower_id").reset_index(drop=True)
    return data[["flower_id", *FEATURES]]


def main(input_dir: Path, output_dir: Path) -> None:
    frames = [pd.read_csv(path) for path in sorted(input_dir.rglob("*.csv"))]
    features = clean(pd.concat(frames, ignore_index=True))
    output_dir.mkdir(parents=True, exist_ok=True)
    features.to_csv(output_dir / "features.csv", index=False)
    print(f"preprocessed {len(features)} flowers")


if __name__ == "__main__":
    args = sys.argv[1:] + [None, None]
    main(
        Path(args[0] or "/opt/ml/processing/input/data"),
        Path(args[1] or "/opt/ml/processing/output"),
    )

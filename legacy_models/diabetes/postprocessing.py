"""Step 3 of the diabetes forecaster (script mode, framework image): the banded report.

Reads forecast.csv files under the input directory, rounds each forecast to one decimal and
bands it (low < 100 <= medium < 180 <= high) into progression_report.csv.
"""

import sys
from pathlib import Path

import numpy as np
import pandas as pd

BANDS = [(0, 100, "low"), (100, 180, "medium"), (180, float("inf"), "high")]


def band(value: float) -> str:
    """The clinical band of a progression score."""
    return next(name for low, high, name in BANDS if low <= value < high)


def main(input_dir: Path, output_dir: Path) -> None:
    frames = [pd.read_csv(path) for path in sorted(input_dir.rglob("*.csv"))]
    forecast = pd.concat(frames, ignore_index=True)
    rounded = np.round(forecast["forecast"].to_numpy(), 1)
    report = pd.DataFrame(
        {
            "patient_id": forecast["patient_id"],
            "progression": rounded,
            "band": [band(value) for value in rounded],
        }
    )
    output_dir.mkdir(parents=True, exist_ok=True)
    report.to_csv(output_dir / "progression_report.csv", index=False)
    print(f"reported {len(report)} patients")


if __name__ == "__main__":
    args = sys.argv[1:] + [None, None]
    main(
        Path(args[0] or "/opt/ml/processing/input/data"),
        Path(args[1] or "/opt/ml/processing/output"),
    )

"""Step 3 of the iris classifier (script mode, framework image): the species report.

Reads every CSV under the input directory (predict's predictions.csv) and writes
species_report.csv: species name and confidence rounded to four places.
`python postprocessing.py IN_DIR OUT_DIR` runs it elsewhere.
"""

import sys
from pathlib import Path

import pandas as pd

SPECIES = ["setosa", "versicolor", "virginica"]


def report(predictions: pd.DataFrame) -> pd.DataFrame:
    """Species names instead of class indexes, confidences rounded for the spreadsheet."""
    return pd.DataFrame(
        {
            "flower_id": predictions["flower_id"],
            "species": [SPECIES[c] for c in predictions["class_index"]],
            "confidence": predictions["probability"].round(4),
        }
    )


def main(input_dir: Path, output_dir: Path) -> None:
    frames = [pd.read_csv(path) for path in sorted(input_dir.rglob("*.csv"))]
    result = report(pd.concat(frames, ignore_index=True))
    output_dir.mkdir(parents=True, exist_ok=True)
    result.to_csv(output_dir / "species_report.csv", index=False)
    print(f"reported {len(result)} flowers")


if __name__ == "__main__":
    args = sys.argv[1:] + [None, None]
    main(
        Path(args[0] or "/opt/ml/processing/input/data"),
        Path(args[1] or "/opt/ml/processing/output"),
    )

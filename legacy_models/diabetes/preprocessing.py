"""Step 1 of the diabetes forecaster (script mode, framework image): records to features.

Reads every JSON-lines export under the input directory, encodes sex numerically, drops
incomplete records and writes features.csv. `python preprocessing.py IN_DIR OUT_DIR` runs it
outside a container.
"""

import json
import sys
from pathlib import Path

import pandas as pd

FEATURES = ["age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6"]


def load_records(input_dir: Path) -> pd.DataFrame:
    """Every record of every *.jsonl file, in file order."""
    records = []
    for path in sorted(input_dir.rglob("*.jsonl")):
        records += [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return pd.DataFrame.from_records(records)


def features(patients: pd.DataFrame) -> pd.DataFrame:
    """Numeric features, complete records only, ordered by patient id."""
    patients["sex"] = patients["sex"].map({"F": 1.0, "M": 2.0})
    patients = patients.dropna(subset=FEATURES).sort_values("patient_id").reset_index(drop=True)
    return patients[["patient_id", *FEATURES]]


def main(input_dir: Path, output_dir: Path) -> None:
    table = features(load_records(input_dir))
    output_dir.mkdir(parents=True, exist_ok=True)
    table.to_csv(output_dir / "features.csv", index=False)
    print(f"preprocessed {len(table)} patients")


if __name__ == "__main__":
    args = sys.argv[1:] + [None, None]
    main(
        Path(args[0] or "/opt/ml/processing/input/data"),
        Path(args[1] or "/opt/ml/processing/output"),
    )

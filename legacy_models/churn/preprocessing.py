"""Step 1 of the churn scorer (script mode, framework image): join CRM and usage exports.

Reads every customers*.csv and usage*.csv under the input directory, aggregates usage per
customer (mean minutes, trend from the first to the last month, support calls) and writes
customer_features.csv. `python preprocessing.py IN_DIR OUT_DIR` runs it outside a container.
"""

import sys
from pathlib import Path

import pandas as pd


def read_all(input_dir: Path, pattern: str) -> pd.DataFrame:
    """Every CSV matching `pattern` under `input_dir`, concatenated in name order."""
    return pd.concat([pd.read_csv(p) for p in sorted(input_dir.rglob(pattern))])


def join(customers: pd.DataFrame, usage: pd.DataFrame) -> pd.DataFrame:
    """One row per customer with their usage aggregates."""
    usage = usage.sort_values(["customer_id", "month"])
    per_customer = usage.groupby("customer_id").agg(
        mean_minutes=("minutes", "mean"),
        first_minutes=("minutes", "first"),
        last_minutes=("minutes", "last"),
        support_calls=("support_calls", "sum"),
    )
    per_customer["minutes_trend"] = per_customer["last_minutes"] - per_customer["first_minutes"]
    table = customers.merge(per_customer.reset_index(), on="customer_id", how="inner")
    return table.sort_values("customer_id").reset_index(drop=True)


def main(input_dir: Path, output_dir: Path) -> None:
    table = join(read_all(input_dir, "customers*.csv"), read_all(input_dir, "usage*.csv"))
    output_dir.mkdir(parents=True, exist_ok=True)
    table.to_csv(output_dir / "customer_features.csv", index=False)
    print(f"joined {len(table)} customers")


if __name__ == "__main__":
    args = sys.argv[1:] + [None, None]
    main(
        Path(args[0] or "/opt/ml/processing/input/data"),
        Path(args[1] or "/opt/ml/processing/output"),
    )

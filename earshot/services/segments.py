"""Writing a consented segment as CSV or JSON Lines (the columns are documented in the README)."""

import csv
import json
from dataclasses import asdict
from typing import IO

from storage.repo.segments import SegmentRow

COLUMNS = ("id", "name", "email", "phone", "city", "country", "segment", "lifecycle_stage", "churn_risk", "products",
           "bought_via", "sentiment", "posts", "age_band", "stated_city", "stated_country", "heard_via")


def write_segment(rows: list[SegmentRow], out: IO[str], *, fmt: str = "csv") -> None:
    if fmt == "jsonl":
        for row in rows:
            out.write(json.dumps(asdict(row), ensure_ascii=False) + "\n")
        return
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    for row in rows:
        data = asdict(row)
        writer.writerow({key: ";".join(value) if isinstance(value, list) else value for key, value in data.items()})

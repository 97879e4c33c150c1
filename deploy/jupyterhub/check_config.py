"""Check a Zero to JupyterHub config.yaml the way Helm checks it before installing the chart.

Helm merges the chart's default values (values.yaml) with the given file and validates the
result against the chart's JSON schema (values.schema.yaml); a misspelt or misplaced key fails
there. chart-4.4.0/ holds both files of the "jupyterhub" chart 4.4.0 as released
(jupyterhub/zero-to-jupyterhub-k8s at tag 4.4.0, BSD-3-Clause, see chart-4.4.0/LICENSE).

    .venv/bin/python deploy/jupyterhub/check_config.py [deploy/jupyterhub/config.yaml]

Needs PyYAML and jsonschema, which the course's .venv has (JupyterLab depends on both).
Prints "ok" or each problem with its place in the file, and exits 1 on problems.
"""

from __future__ import annotations

import sys
from pathlib import Path

import jsonschema
import yaml

CHART = Path(__file__).parent / "chart-4.4.0"


def merged(defaults: dict, given: dict) -> dict:
    """Helm's merge of user values over chart values: maps merge, anything else replaces."""
    out = dict(defaults)
    for key, value in given.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merged(out[key], value)
        else:
            out[key] = value
    return out


def problems(config_path: Path) -> list[str]:
    schema = yaml.safe_load((CHART / "values.schema.yaml").read_text())
    defaults = yaml.safe_load((CHART / "values.yaml").read_text())
    given = yaml.safe_load(config_path.read_text()) or {}
    validator = jsonschema.Draft7Validator(schema)
    return [
        f"{'.'.join(str(p) for p in error.absolute_path) or '(top)'}: {error.message}"
        for error in sorted(validator.iter_errors(merged(defaults, given)), key=str)
    ]


def main() -> int:
    path = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).parent / "config.yaml")
    found = problems(path)
    for line in found:
        print(line)
    if not found:
        print("ok")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())

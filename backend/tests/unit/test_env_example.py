"""``.env.example`` documents every setting, and every documented variable is a real setting."""

from __future__ import annotations

import re

from pydantic import BaseModel

from cryptotrader.config import Settings
from tests.conftest import REPO_ROOT

_VARIABLE = re.compile(r"^#?\s*([A-Z][A-Z0-9_]+)=", re.MULTILINE)


def _setting_variables(model: type[BaseModel], prefix: str) -> set[str]:
    names: set[str] = set()
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            names |= _setting_variables(annotation, f"{prefix}{name.upper()}__")
        else:
            names.add(f"{prefix}{name.upper()}")
    return names


def test_env_example_when_compared_with_settings_lists_each_variable_once() -> None:
    documented = _VARIABLE.findall((REPO_ROOT / ".env.example").read_text())
    assert len(documented) == len(set(documented)), "a variable is documented twice"
    expected = _setting_variables(Settings, "CRYPTOTRADER_")
    # The service URLs are documented under their conventional names (aliases of these fields).
    expected -= {"CRYPTOTRADER_DATABASE_URL_OVERRIDE", "CRYPTOTRADER_REDIS_URL"}
    expected |= {"DATABASE_URL", "REDIS_URL"}
    assert set(documented) == expected

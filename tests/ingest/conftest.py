from __future__ import annotations

from pathlib import Path

import pytest

TESTDATA = (Path(__file__).parents[2] / "../shared/testdata").resolve()


@pytest.fixture
def testdata() -> Path:
    if not TESTDATA.is_dir():
        pytest.skip(f"real sample files are not available at {TESTDATA}")
    return TESTDATA

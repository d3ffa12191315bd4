from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from services.dossier.domain.code import ALPHABET, is_valid, new_code

AT = datetime(2026, 11, 21, tzinfo=UTC)


def test_code_reads_agency_date_and_token() -> None:
    code = new_code("hn.sotp", AT, token="ABCD1234")
    assert code.startswith("HN.SOTP-261121-ABCD1234")
    assert is_valid(code)


@given(
    st.text(alphabet=ALPHABET, min_size=8, max_size=8),
    st.integers(min_value=len("HN-261121-"), max_value=len("HN-261121-") + 8),
    st.sampled_from(ALPHABET),
)
def test_a_single_changed_character_is_detected(
    token: str, position: int, replacement: str
) -> None:
    code = new_code("HN", AT, token=token)
    changed = code[:position] + replacement + code[position + 1 :]
    assert is_valid(changed) == (changed == code)

"""Names as they may be printed, and draws an auditor can re-run (pure rules)."""

import pytest

from policy import draws
from policy.text import TextProblem, clean_name, clean_text


def test_a_name_is_nfkc_with_its_spaces_folded():
    assert clean_name("  ｅｘｐｅｒｔ　Ａ ") == "expert A"


@pytest.mark.parametrize("char", ["\x00", "\u202e", "\u200b", "\u2066", "\ufeff", "\ue000", "\u2028"])
def test_a_name_with_a_control_or_format_character_is_refused_naming_it(char):
    with pytest.raises(TextProblem, match=f"U\\+{ord(char):04X}"):
        clean_name(f"广州{char}示范")


def test_free_text_keeps_line_breaks_and_chinese_punctuation_but_not_bidi_overrides():
    assert clean_text("营业执照：缺失，请补正。\n第二行") == "营业执照：缺失，请补正。\n第二行"
    with pytest.raises(TextProblem):
        clean_text("理由\u202e相反")


def test_the_same_seed_and_candidates_give_the_same_panel_in_any_order():
    seed = "ab" * 32
    assert draws.draw_panel(seed, [5, 3, 9, 1], 2) == draws.draw_panel(seed, [1, 9, 3, 5], 2)
    assert len(draws.draw_panel(seed, [1], 3)) == 1


def test_a_new_seed_is_64_hex_characters_and_its_commitment_is_its_sha256():
    import hashlib

    seed = draws.new_seed()
    assert len(seed) == 64 and int(seed, 16) >= 0 and seed != draws.new_seed()
    assert draws.commitment(seed) == hashlib.sha256(seed.encode()).hexdigest()


def test_supervision_at_rate_one_always_picks_and_at_rate_zero_never():
    assert draws.draw_supervision("s", 1.0, [4, 2])[0] is True
    assert draws.draw_supervision("s", 1.0, [4, 2])[1] in (2, 4)
    assert draws.draw_supervision("s", 0.0, [4, 2]) == (False, None)
    assert draws.draw_supervision("s", 1.0, []) == (True, None)

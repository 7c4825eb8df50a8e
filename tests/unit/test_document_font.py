"""The documents' common-character font covers GB 2312 and leaves rarer characters to the fallback."""

from tasks.adapters.fonts import common_characters


def test_the_common_set_holds_every_gb2312_hanzi_and_printable_ascii():
    hanzi = [c for c in common_characters() if 0x4E00 <= c <= 0x9FFF]
    assert len(hanzi) == 6763
    assert set(range(0x20, 0x7F)) <= common_characters()


def test_a_rare_name_character_is_left_to_the_full_font():
    assert ord("堃") not in common_characters() and ord("张") in common_characters()

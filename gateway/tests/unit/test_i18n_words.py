"""Catalog entries with words (``#. words: name``): any text in their place, itself translated
when the catalog knows it, and read only after the entries whose values are numbers or quoted."""

from __future__ import annotations

from gateway.i18n import MAX_TEXT, known, translate


def test_a_word_is_translated_when_the_catalog_knows_it_and_kept_otherwise() -> None:
    assert (
        translate("cannot accept match 'm-1': it is active", "fr")
        == "on ne peut pas accepter binôme 'm-1' : son état est « actif »"
    )
    assert (
        translate("cannot juggle widget 'w-1': it is wobbly", "fr")
        == "on ne peut pas juggle widget 'w-1' : son état est « wobbly »"
    )
    assert translate("program 'p-1' not found", "fr") == "programme 'p-1' introuvable"


def test_the_most_precise_entry_wins() -> None:
    # "cannot accept match %(id)r: it is expired" has no words: it is read before the general one
    assert translate("cannot accept match 'm-1': it is expired", "fr") == (
        "impossible d'accepter le binôme 'm-1' : la proposition a expiré"
    )
    assert translate("learning path 'p' not found", "fr") == "parcours 'p' introuvable"


def test_a_text_within_a_text_is_translated_as_a_whole() -> None:
    assert translate("Value error, a mentor can be ranked only once", "fr") == (
        "Valeur refusée : un mentor ne peut être classé qu'une fois"
    )
    assert translate("Value error, something new", "fr") == "Valeur refusée : something new"


def test_words_never_match_across_lines_badly_or_loop() -> None:
    weird = "cannot \x00 x 'y': it is \ud800\n"
    assert translate(weird, "fr").startswith("on ne peut pas \x00 x 'y'")
    assert known("Value error, Value error, Value error, x")
    assert translate("Value error, Value error, x", "fr") == "Valeur refusée : Valeur refusée : x"
    assert translate("the mentee is unmatched, and the mentor has a free place", "en") == (
        "the mentee is unmatched, and the mentor has a free place"
    )


def test_a_text_longer_than_any_message_is_given_as_it_is() -> None:
    hostile = "x 'a" * 250_000 + "' not found"
    assert translate(hostile, "fr") == hostile
    assert not known(hostile)
    near = "program 'p' not found"
    padded = near.replace("'p'", "'" + "p" * (MAX_TEXT - len(near) + 2) + "'")
    assert len(padded) == MAX_TEXT + 1
    assert translate(padded, "fr") == padded
    fits = near.replace("'p'", "'" + "p" * (MAX_TEXT - len(near)) + "'")
    assert translate(fits, "fr").startswith("programme 'ppp")

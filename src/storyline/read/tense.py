"""The tense of the clause that governs a word, from the Universal Dependencies features of the parse."""

from __future__ import annotations

from storyline.read.nlp import Parse, Token
from storyline.read.patterns import fold

PAST = ("Past", "Imp", "Pqp")


def clause_tense(parse: Parse, token: Token, future_aux: frozenset[str]) -> str | None:
    """ "past", "future" or "present" for the clause that governs ``token``; None with no finite verb above it.

    A participle takes its tense from its auxiliaries: with a tense auxiliary ("a tenu", "has held") it is a
    perfect, so past; with only a passive one ("est programmée", "is scheduled") the passive's tense; alone
    ("prévu à Astana") it says nothing and the search goes on up the tree."""
    for head in [token, *parse.ancestors(token)]:
        if head.pos not in ("VERB", "AUX"):
            continue
        auxiliaries = [c for c in parse.children(head) if c.dep.startswith("aux")]
        if head.feats.get("Tense") == "Fut" or any(
            c.feats.get("Tense") == "Fut" or fold(c.lemma) in future_aux for c in auxiliaries
        ):
            return "future"
        if head.feats.get("VerbForm") == "Part":
            perfect = [c for c in auxiliaries if c.dep in ("aux", "aux:tense")]
            passive = [c for c in auxiliaries if c.dep in ("aux:pass", "auxpass")]
            if perfect:
                return "past"
            if passive:
                return "past" if passive[0].feats.get("Tense") in PAST else "present"
            continue
        tense = head.feats.get("Tense")
        if tense in PAST:
            return "past"
        if tense == "Pres":
            return "present"
    return None

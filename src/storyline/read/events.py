"""Events: who did what with whom, when and where, with a status.

The rules are the same for every language; the words are each language's data (``events.json`` for
triggers, support and status verbs and contexts; ``grammar.json`` for negation, modality and the future).
The dependency parse tells who acts and how a trigger is governed:

* a trigger is a noun (sommet, summit, саммит) or a verb (fournir, provide, выделить);
* its *predicate chain* is the trigger and the verbs that govern it (``accueillir`` ← ``se préparer à``); the
  status comes from that chain: a status verb (annuler, postpone, состояться), negation, modality, the
  future, else tense;
* a noun trigger that is the subject of some other verb ("le sommet pourrait élargir…") only refers back
  to an event introduced elsewhere: it may add to that event, never create one;
* a mention with a demonstrative ("cette rencontre") takes its missing actors, place and time from the
  sentence before;
* mentions of the same event in one document are merged: one event per real event.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from typing import Any

from storyline import kb
from storyline.languages import Language
from storyline.read.context import Context, Found, interval_of
from storyline.read.entities import expand
from storyline.read.extractors import register
from storyline.read.nlp import Parse, Token
from storyline.read.patterns import fold
from storyline.read.tense import clause_tense
from storyline.records import EventMention, Interval, Place, Span, Time

# A modal over a call-off ("could be rescheduled", "pourrait être annulé") leaves it hypothetical.
STATUS_ORDER = ("hypothetical", "cancelled", "postponed", "negated", "planned", "ongoing")
SUBJECTS = ("nsubj", "nsubj:pass", "csubj", "nsubjpass")
ACTIVE_SUBJECTS = ("nsubj", "csubj")
PASSIVE_SUBJECTS = ("nsubj:pass", "nsubjpass")
AGENTS = ("obl:agent", "agent")  # "attacked by militiamen": the agent acts
TARGET_DEPS = ("obj", "iobj", "obl:arg", "obl", "nmod", "dobj", "dative", "pobj", "prep")
MODIFIERS = (
    "conj",
    "appos",
    "flat",
    "flat:name",
    "compound",
    "amod",
    "nmod:poss",
    "poss",
    "det:poss",
    "pobj",
    "prep",
    "nmod",
)
CLIMB = ("xcomp", "xcomp:pass", "advcl", "ccomp", "conj")


@dataclass
class Lexicon:
    triggers: dict[str, list[dict[str, Any]]]  # first folded lemma -> entries
    support: frozenset[str]
    status_verbs: dict[str, str]
    contexts: dict[str, frozenset[str]]
    negations: frozenset[str]
    future_aux: frozenset[str]
    planned: frozenset[str]
    hypothetical: frozenset[str]
    conditional_is_hypothetical: bool
    reasons: tuple[str, ...]
    demonstratives: frozenset[str]
    format_nouns: frozenset[str]
    reporting: frozenset[str]
    future_in_past: frozenset[str]
    agent_prepositions: frozenset[str]
    host_verbs: frozenset[str]  # "Tokyo will host the summit": the host city is where it takes place


@cache
def lexicon(language: Language) -> Lexicon:
    events = language.resource("events")
    grammar = language.resource("grammar")
    triggers: dict[str, list[dict[str, Any]]] = {}
    for entry in events.get("triggers", []):
        words = fold(entry["lemma"]).split()
        triggers.setdefault(words[0], []).append({**entry, "words": words})

    def folded(key: str, source: dict[str, Any] = grammar) -> frozenset[str]:
        return frozenset(fold(w) for w in source.get(key, []))

    return Lexicon(
        triggers=triggers,
        support=folded("support_verbs", events),
        status_verbs={fold(k): v for k, v in events.get("status_verbs", {}).items()},
        contexts={k: frozenset(fold(w) for w in v) for k, v in events.get("contexts", {}).items()},
        negations=folded("negations"),
        future_aux=folded("future_auxiliaries"),
        planned=folded("planned_markers"),
        hypothetical=folded("hypothetical_markers"),
        conditional_is_hypothetical=bool(grammar.get("conditional_mood_is_hypothetical")),
        reasons=tuple(sorted((fold(w) for w in grammar.get("reason_markers", [])), key=len, reverse=True)),
        demonstratives=folded("demonstratives"),
        format_nouns=folded("format_nouns"),
        reporting=folded("reporting_verbs"),
        future_in_past=folded("future_in_past"),
        agent_prepositions=folded("agent_prepositions"),
        host_verbs=folded("host_verbs", events),
    )


@dataclass
class Candidate:
    type: str
    mode: str | None
    status: str | None  # None: the mention refers back to an event and says nothing of its status
    sentence: int
    trigger: Token
    partial: bool  # may only add to an event introduced elsewhere
    participants: list[str] = field(default_factory=list)
    source: list[str] = field(default_factory=list)
    target: list[str] = field(default_factory=list)
    format: str | None = None
    where: Place | None = None
    when: Interval | None = None
    reason: str | None = None
    context: list[str] = field(default_factory=list)
    evidence: Span | None = None
    explicit_status: bool = False
    sentences: set[int] = field(default_factory=set)  # where its merged mentions stand
    tenses: set[str] = field(default_factory=set)  # the tenses its mentions are told in
    evidence_score: int = -1  # how informative the mention whose sentence is the evidence was


def _lemma(token: Token) -> str:
    return fold(token.lemma)


def _is_verb(token: Token) -> bool:
    return token.pos in ("VERB", "AUX")


def _chain(parse: Parse, trigger: Token) -> list[Token]:
    """The trigger and the predicates that govern it, nearest first: up through the noun phrase to its verb,
    then on through control and complement clauses ("prévoit de fournir", "s'apprête à … en accueillant")."""
    chain = [trigger]
    current = trigger
    predicate = _is_verb(trigger)
    for _ in range(8):
        if current.head == current.i or (predicate and current.dep not in CLIMB):
            break
        current = parse.tokens[current.head]
        if _is_verb(current) or current.pos == "ADJ":
            chain.append(current)
            predicate = True
    if not predicate and current.head == current.i:
        # A parser slip seen with "le sommet entre le Japon et le Kazakhstan pourrait…": the noun phrase is
        # left as the root and its verb hangs on it as a conjunct. That verb is still the noun's predicate.
        verbs = [c for c in parse.children(current) if c.dep == "conj" and _is_verb(c)]
        if verbs:
            chain.append(verbs[0])
            chain.extend(
                c for c in parse.children(verbs[0]) if c.dep in ("xcomp", "xcomp:pass") and _is_verb(c)
            )
    return chain


def _with_children(parse: Parse, chain: list[Token]) -> list[Token]:
    out: list[Token] = []
    for t in chain:
        out.append(t)
        out.extend(
            c for c in parse.children(t) if c.dep.startswith(("aux", "advmod", "neg", "cop", "expl", "mark"))
        )
    return out


def _verb_key(parse: Parse, token: Token) -> list[str]:
    """The verb's lemma alone and with its particle, object noun or reflexive clitic ("call off", "avoir lieu",
    "take place", "ouvrir se": a summit that opens, not one that opens the way)."""
    keys = [_lemma(token)]
    for child in parse.children(token):
        if child.dep in ("compound:prt", "prt", "obj", "dobj", "fixed", "expl:comp", "expl:pv"):
            keys.insert(0, _lemma(token) + " " + _lemma(child))
    return keys


def status_of(parse: Parse, lex: Lexicon, trigger: Token) -> tuple[str, bool]:
    """The status the trigger's clause gives it, and whether a word said it explicitly."""
    chain = _chain(parse, trigger)
    words = _with_children(parse, chain)
    lemmas = {_lemma(t) for t in words}
    found: set[str] = set()
    happens = False
    for t in chain:
        for key in _verb_key(parse, t):
            status = lex.status_verbs.get(key)
            if status == "tense":
                happens = True
            elif status:
                found.add(status)
                break
    if lemmas & lex.negations:
        # "n'aura pas lieu", "will not take place", "не состоится": the event is called off
        found.add("cancelled" if happens else "negated")
    conditional = any(t.feats.get("Mood") == "Cnd" for t in words if _is_verb(t)) or bool(
        lemmas & lex.future_in_past
    )
    modal = lemmas & (lex.hypothetical - lex.future_in_past)
    reported = any(
        key in lex.reporting for head in parse.ancestors(trigger)[:6] for key in _verb_key(parse, head)
    )
    if reported and conditional and not modal:
        # "Xi said China would provide…", "il a annoncé que la Chine fournirait…": the future seen from the past
        found.add("planned")
    elif modal or (conditional and lex.conditional_is_hypothetical):
        found.add("hypothetical")
    future = any(t.feats.get("Tense") == "Fut" for t in words if _is_verb(t))
    if future or lemmas & lex.planned or lemmas & lex.future_aux:
        found.add("planned")
    for status in STATUS_ORDER:
        if status in found:
            return status, True
    tense = clause_tense(parse, trigger, lex.future_aux)
    return ("planned" if tense == "future" else "occurred"), False


def _reason(ctx: Context, lex: Lexicon, start: int, end: int) -> tuple[str | None, tuple[int, int] | None]:
    folded = fold(ctx.text[start:end])
    for marker in lex.reasons:
        for m in re.finditer(r"(?<![\w])" + re.escape(marker), folded):
            begin = start + m.end()
            while begin < end and not ctx.text[begin].isalnum():
                begin += 1
            word = ctx.parse.token_at(begin) if ctx.parse else None
            if word is not None and _is_verb(word):
                continue  # "due to attend" is no reason
            stop = begin
            while stop < end and not (
                ctx.text[stop] in ";:!?)"
                or (ctx.text[stop] == "." and not ctx.text[stop + 1 : stop + 2].isdigit())
            ):
                stop += 1
            phrase = ctx.text[begin:stop].strip(" ,")
            if phrase:
                return phrase, (start + m.start(), stop)
    return None, None


def _place(found: Found) -> Place | None:
    entry = kb.load().get(found.entity)
    if entry is None:
        return None
    if entry.kind == "country":
        return Place(name=entry.name, country=entry.id)
    return Place(name=entry.name, geonameid=entry.geonameid, country=entry.country)


@dataclass
class SentenceFacts:
    all: list[Found]
    actors: list[Found]
    places: list[Found]
    times: list[Time]
    formats: list[str]


def _facts(ctx: Context, s: int, exclude: tuple[int, int] | None = None) -> SentenceFacts:
    assert ctx.parse is not None
    sent = ctx.parse.sentences[s]
    inside = [
        f
        for f in ctx.found
        if sent.start <= f.start < sent.end and not (exclude and exclude[0] <= f.start < exclude[1])
    ]
    published = ctx.published
    times = [
        t
        for t in ctx.times
        if sent.start <= t.start < sent.end
        and t.interval is not None
        and not (exclude and exclude[0] <= t.start < exclude[1])
        # the dateline's or byline's date says when the text was written, not when anything happened
        and not (published and published.raw and t.text == published.raw and t.start < 200)
    ]
    base = kb.load()
    formats = [f.entity for f in inside if (e := base.get(f.entity)) is not None and e.kind == "format"]
    return SentenceFacts(
        all=inside,
        actors=[f for f in inside if f.actor and not f.place],
        places=[f for f in inside if f.place],
        times=times,
        formats=formats,
    )


def _host_city(parse: Parse, token: Token, lex: Lexicon, facts: SentenceFacts) -> Place | None:
    """The city that hosts the event ("Tokyo will host the summit"): a city named as an actor of a
    sentence whose trigger a host verb governs."""
    if not lex.host_verbs or not _governed_by(parse, token, lex.host_verbs):
        return None
    base = kb.load()
    cities = [f for f in facts.actors if (e := base.get(f.entity)) is not None and e.kind == "place"]
    return _place(cities[0]) if cities else None


def _best_place(places: list[Found]) -> Place | None:
    base = kb.load()
    cities = [f for f in places if (e := base.get(f.entity)) is not None and e.kind == "place"]
    countries = [f for f in places if (e := base.get(f.entity)) is not None and e.kind == "country"]
    chosen = cities or countries
    return _place(chosen[0]) if chosen else None


def _nearest_time(times: list[Time], trigger: Token, parse: Parse | None = None) -> Time | None:
    """The date that belongs to the trigger: one in the trigger's own clause (hanging on the trigger or on a
    verb of its predicate chain) first, else the nearest in the sentence."""
    dated = [t for t in times if t.type == "DATE"]
    if not dated:
        return None
    if parse is not None:
        clause = {t.i for t in _chain(parse, trigger)}
        own = []
        for t in dated:
            token = parse.token_at(t.start)
            if token is not None and token.sent == trigger.sent:
                heads = [token, *parse.ancestors(token)]
                first_predicate = next((h for h in heads if _is_verb(h) or h.i == trigger.i), None)
                if first_predicate is not None and first_predicate.i in clause:
                    own.append(t)
        if own:
            dated = own
    return min(dated, key=lambda t: abs(t.start - trigger.start))


def _most_precise_time(times: list[Time]) -> Time | None:
    """Of the dates of a sentence the event only borrows from, the most precise ("en août 2024" rather than
    "le vingtième anniversaire", a year)."""
    dated = [t for t in times if t.type == "DATE" and t.interval is not None]
    if not dated:
        return None
    return min(
        dated, key=lambda t: (t.interval.end - t.interval.start, t.start) if t.interval else (0, t.start)
    )


def _matches(parse: Parse, tokens: list[Token], k: int, entry: dict[str, Any]) -> bool:
    words = entry["words"]
    if k + len(words) > len(tokens):
        return False
    if any(_lemma(tokens[k + j]) != w for j, w in enumerate(words)):
        return False
    pos = entry.get("pos")
    token = tokens[k]
    if pos == "NOUN":
        return token.pos in ("NOUN", "PROPN", "X")
    if pos == "VERB":
        return _is_verb(token)
    return True


def _governed_by(parse: Parse, token: Token, verbs: frozenset[str]) -> bool:
    """One of the predicates over the trigger ("tenir" in "a tenu … la deuxième édition du Dialogue") is
    one of ``verbs``."""
    return any(key in verbs for head in _chain(parse, token)[1:] for key in _verb_key(parse, head))


def _phrase_head(parse: Parse, token: Token) -> Token:
    """The head of the noun phrase the trigger sits in ("la tenue d'un sommet" -> "tenue")."""
    current = token
    for _ in range(4):
        head = parse.tokens[current.head]
        if (
            head.i == current.i
            or _is_verb(head)
            or current.dep not in ("nmod", "nmod:poss", "compound", "amod")
        ):
            break
        current = head
    return current


def _names_a_format(ctx: Context, trigger: Token) -> bool:
    """ "du dialogue « Central Asia + Japan »": the noun is part of a format's name (unlike "le sommet
    « Asie centrale + Japon »", a summit of the format)."""
    if _lemma(trigger) not in lexicon(ctx.language).format_nouns:
        return False
    base = kb.load()
    for f in ctx.found:
        entry = base.get(f.entity)
        if entry is not None and entry.kind == "format" and 0 <= f.start - trigger.end <= 48:
            between = ctx.text[trigger.end : f.start]
            if not any(ch in between for ch in ".;,"):
                return True
    return False


def _candidates(ctx: Context, lex: Lexicon) -> list[Candidate]:
    parse = ctx.parse
    assert parse is not None
    out: list[Candidate] = []
    for s in range(len(parse.sentences)):
        tokens = parse.sentence_tokens(s)
        seen_types: set[str] = set()
        for k, token in enumerate(tokens):
            for entry in lex.triggers.get(_lemma(token), []):
                if not _matches(parse, tokens, k, entry) or entry["type"] in seen_types:
                    continue
                candidate = _candidate(ctx, lex, s, token, entry)
                if candidate is not None:
                    seen_types.add(entry["type"])
                    out.append(candidate)
                break
    return out


def _candidate(ctx: Context, lex: Lexicon, s: int, token: Token, entry: dict[str, Any]) -> Candidate | None:
    parse = ctx.parse
    assert parse is not None
    governed = _governed_by(parse, token, lex.support) or _governed_by(
        parse, token, frozenset(lex.status_verbs)
    )
    is_noun = not _is_verb(token)
    if is_noun and entry.get("needs_support") and not governed:
        return None
    if is_noun and _names_a_format(ctx, token) and not _governed_by(parse, token, lex.support):
        return None
    status, explicit = status_of(parse, lex, token)
    demonstrative = any(_lemma(c) in lex.demonstratives for c in parse.children(token))
    partial = is_noun and _refers_back(parse, lex, token, governed, explicit, demonstrative)
    said: str | None = None if partial else status
    tense = clause_tense(parse, token, lex.future_aux)
    sent = parse.sentences[s]
    reason, reason_span = (None, None)
    if status in ("cancelled", "postponed"):
        reason, reason_span = _reason(ctx, lex, token.start, sent.end)
    facts = _facts(ctx, s, reason_span)
    candidate = Candidate(
        type=entry["type"],
        mode=entry.get("mode"),
        status=said,
        sentence=s,
        trigger=token,
        partial=partial,
        reason=reason,
        explicit_status=explicit,
        tenses={tense} if tense else set(),
        evidence=Span(start=sent.start, end=sent.end, text=ctx.text[sent.start : sent.end]),
    )
    if entry.get("args") == "directed":
        _directed(ctx, candidate, facts, reason_span)
    else:
        candidate.participants = expand([f.actor for f in facts.actors if f.actor])
    candidate.format = facts.formats[0] if facts.formats else None
    candidate.where = _best_place(facts.places) or _host_city(parse, token, lex, facts)
    time = _nearest_time(facts.times, token, parse)
    candidate.when = interval_of(time) if time else None
    # "Cette rencontre…", or a reported fact whose actors are the previous sentence's ("By the end of the
    # meeting, the leaders adopted a declaration"): actors, place and time come from the sentence before.
    factual = said in ("occurred", "cancelled", "postponed")
    if s > 0 and (demonstrative or (factual and not candidate.participants)):
        _inherit(ctx, candidate, _facts(ctx, s - 1))
    if (
        candidate.where
        and candidate.where.country
        and entry.get("args") != "directed"
        and candidate.participants
        and candidate.where.country not in candidate.participants
    ):
        candidate.participants.append(candidate.where.country)
    lemmas = {_lemma(t) for t in parse.sentence_tokens(s)}
    candidate.context = sorted(name for name, words in lex.contexts.items() if lemmas & words)
    return candidate


def _refers_back(
    parse: Parse, lex: Lexicon, token: Token, governed: bool, explicit: bool, demonstrative: bool
) -> bool:
    """A noun trigger that only names an event introduced elsewhere: the subject of a verb that says nothing
    of the event ("le sommet pourrait élargir…"), or a phrase hanging on such a verb with nothing in its
    clause saying what became of the event ("Derrière ce rendez-vous, Tokyo cherche…")."""
    phrase = _phrase_head(parse, token)
    if phrase.dep in SUBJECTS:
        # the verb and what it governs ("pourrait être reprogrammé": pouvoir -> reprogrammer)
        predicates = [parse.tokens[phrase.head]]
        predicates += [
            c for c in parse.children(predicates[0]) if c.dep in ("xcomp", "xcomp:pass") and _is_verb(c)
        ]
        return not any(
            key in lex.status_verbs or key in lex.support
            for head in predicates
            for key in _verb_key(parse, head)
        )
    has_predicate = len(_chain(parse, token)) > 1
    if demonstrative:
        # "cette rencontre avait été annulée" says something of the event; "avec ce sommet, Tokyo entend…" not
        return has_predicate and not governed
    return has_predicate and not governed and not explicit


def _argument_actors(
    parse: Parse, facts: SentenceFacts, argument: Token, exclude: tuple[int, int] | None
) -> list[str]:
    """Actors named by an argument's head word and the words that qualify it or stand beside it: coordinated
    ("le Japon et la Corée"), a demonym ("Russian aircraft"), a possessor ("Japan's president"), the noun of a
    preposition ("to Uzbekistan")."""
    heads = [argument]
    for _ in range(2):
        for t in parse.sentence_tokens(argument.sent):
            if t.head in {h.i for h in heads} and t.dep in MODIFIERS and t not in heads:
                heads.append(t)
    spans = [(t.start, t.end) for t in heads]
    return [
        f.actor
        for f in facts.all
        if f.actor
        and any(f.start < e and s < f.end for s, e in spans)
        and not (exclude and exclude[0] <= f.start < exclude[1])
    ]


def _directed(
    ctx: Context, candidate: Candidate, facts: SentenceFacts, exclude: tuple[int, int] | None
) -> None:
    parse = ctx.parse
    assert parse is not None
    chain = _chain(parse, candidate.trigger)
    sources: list[str] = []
    targets: list[str] = []
    for verb in chain:
        for child in parse.children(verb):
            ids = _argument_actors(parse, facts, child, exclude)
            if not ids:
                continue
            if child.dep in ACTIVE_SUBJECTS and not sources:
                sources = ids
            elif (
                verb is candidate.trigger
                and child.dep in (*AGENTS, "obl")
                and _is_agent(parse, child, lexicon(ctx.language))
                and not sources
            ):
                sources = ids  # the passive's agent: "attacked by Burundian militiamen"
            elif verb is candidate.trigger and child.dep in PASSIVE_SUBJECTS and not targets:
                targets = ids  # the passive's subject undergoes it
            elif verb is candidate.trigger and child.dep in TARGET_DEPS and not targets:
                targets = ids
        if sources:
            break
    candidate.source = expand(sources)
    candidate.target = [t for t in expand(targets) if t not in candidate.source]
    candidate.participants = list(dict.fromkeys(candidate.source + candidate.target))


def _is_agent(parse: Parse, argument: Token, lex: Lexicon) -> bool:
    """An oblique introduced by the language's passive-agent preposition ("par", "by"; Russian marks the
    agent by case, not by a word)."""
    if argument.dep in AGENTS:
        return True
    return any(fold(c.text) in lex.agent_prepositions for c in parse.children(argument) if c.dep == "case")


def _inherit(ctx: Context, candidate: Candidate, before: SentenceFacts) -> None:
    if len(candidate.participants) < 2:
        candidate.participants = list(
            dict.fromkeys(candidate.participants + expand([f.actor for f in before.actors if f.actor]))
        )
    candidate.format = candidate.format or (before.formats[0] if before.formats else None)
    candidate.where = candidate.where or _best_place(before.places)
    if candidate.when is None:
        time = _most_precise_time(before.times)
        candidate.when = interval_of(time) if time else None


def _implied_format(participants: list[str]) -> str | None:
    """The recurring format whose members are exactly the participants, when only one format fits."""
    base = kb.load()
    wanted = set(participants)
    fits = [
        e.id for e in base.entries.values() if e.kind == "format" and e.members and set(e.members) == wanted
    ]
    return fits[0] if len(fits) == 1 else None


def _overlap(a: Interval | None, b: Interval | None) -> bool:
    return a is None or b is None or (a.start <= b.end and b.start <= a.end)


def _compatible(event: Candidate, other: Candidate) -> bool:
    if event.type != other.type:
        return False
    if other.status is not None and event.status != other.status:
        return False
    a, b = set(event.participants), set(other.participants)
    if a and b and jaccard(a, b) < 0.5:
        return False
    if not _overlap(event.when, other.when):
        return False
    wa = event.where.country if event.where else None
    wb = other.where.country if other.where else None
    return not (wa and wb and wa != wb)


def _informative(c: Candidate) -> int:
    """How much a mention says of its event: the best one's sentence is the event's evidence."""
    return sum(
        (
            len(c.participants) >= 2,
            c.when is not None,
            c.where is not None,
            c.explicit_status,
            c.format is not None,
        )
    )


def _merge(event: Candidate, other: Candidate) -> None:
    if event.evidence_score < 0:
        event.evidence_score = _informative(event)
    if _informative(other) > event.evidence_score:
        event.evidence, event.evidence_score = other.evidence, _informative(other)
    event.sentences |= {event.sentence, other.sentence}
    event.tenses |= other.tenses
    event.participants = list(dict.fromkeys(event.participants + other.participants))
    event.source = event.source or other.source
    event.target = event.target or other.target
    event.format = event.format or other.format
    event.reason = event.reason or other.reason
    event.context = sorted(set(event.context) | set(other.context))
    if event.where is None or (other.where and other.where.geonameid and not event.where.geonameid):
        event.where = other.where or event.where
    if event.when is None or (
        other.when and (other.when.end - other.when.start) < (event.when.end - event.when.start)
    ):
        event.when = other.when or event.when
    event.explicit_status = event.explicit_status or other.explicit_status


def _confidence(c: Candidate) -> float:
    return round(min(0.4 + 0.1 * _informative(c), 0.9), 2)


@register("rules")
def extract(ctx: Context) -> list[EventMention]:
    """The rules-and-parse backend: events from the trigger lexicons and the dependency parse."""
    if ctx.parse is None:
        return []
    found: list[EventMention] = []
    lex = lexicon(ctx.language)
    candidates = _candidates(ctx, lex)
    _expand_to_named_format(ctx, candidates)
    events: list[Candidate] = []
    for c in candidates:
        if c.partial or len(c.participants) < 2 or (_is_directed(c, lex) and not (c.source and c.target)):
            continue
        match = next((e for e in events if _compatible(e, c)), None)
        if match is None:
            events.append(c)
        else:
            _merge(match, c)
    for c in candidates:
        if c.partial or len(c.participants) < 2:
            # A mention that only refers back adds its time and place to the event it names: one of the same
            # kind (a "sommet" to a summit), the nearest in the text.
            compatible = [e for e in events if _compatible(e, c) and e.mode == c.mode]
            if compatible:
                nearest = min(compatible, key=lambda e: abs(e.sentence - c.sentence))
                nearest.when = nearest.when or c.when
                nearest.where = nearest.where or c.where
    _share_circumstances(events)
    if ctx.published is not None:
        _status_from_dates(events, ctx.published.date)
    for e in events:
        e.format = e.format or _implied_format(e.participants)
        assert e.evidence is not None and e.status is not None
        found.append(
            EventMention(
                type=e.type,  # type: ignore[arg-type]
                mode=e.mode,
                context=e.context,
                status=e.status,  # type: ignore[arg-type]
                source=e.source,
                target=e.target,
                participants=e.participants,
                format=e.format,
                where=e.where,
                when=e.when,
                reason=e.reason,
                evidence=e.evidence,
                confidence=_confidence(e),
            )
        )
    return found


def _share_circumstances(events: list[Candidate]) -> None:
    """An event told without its time or place ("the leaders then adopted a declaration") takes them from the
    event just before it with the same status and the same actors."""
    for k, event in enumerate(events):
        before = [
            e
            for e in events[:k]
            if any(0 <= event.sentence - s <= 2 for s in e.sentences | {e.sentence})
            and e.status == event.status
            and jaccard(set(e.participants), set(event.participants)) >= 0.5
        ]
        if before:
            nearest = max(before, key=lambda e: max(e.sentences | {e.sentence}))
            event.when = event.when or nearest.when
            event.where = event.where or nearest.where


def _expand_to_named_format(ctx: Context, events: list[Candidate]) -> None:
    """In a text about one recurring format, a summit or multilateral meeting among some of its members ("a
    first summit, planned in Astana") is a meeting of that format."""
    base = kb.load()
    named = {f.entity for f in ctx.found if (e := base.get(f.entity)) is not None and e.kind == "format"}
    if len(named) != 1:
        return
    (format_id,) = named
    members = base.members(format_id)
    for event in events:
        if (
            event.partial
            or event.type != "CONSULT"
            or event.format
            or not set(event.participants) <= set(members)
        ):
            continue
        # a summit said without its actors is the format's; a smaller meeting needs two of its members named
        if (event.mode == "summit" and not event.participants) or (
            event.mode in ("summit", "multilateral") and len(event.participants) >= 2
        ):
            event.format = format_id
            event.participants = list(members)


def _status_from_dates(events: list[Candidate], published: date) -> None:
    """A status that only tense gave is checked against the dates: an event told in the present whose dates
    hold the publication day is under way ("Scholz reçoit ce vendredi…"); one whose dates are all after it is
    still to come."""
    for event in events:
        when = event.when
        if (
            event.status == "planned"
            and when
            and when.start == when.end < published
            and when.text
            and not any(ch.isdigit() for ch in when.text)
            and (published - when.start).days < 7
        ):
            # a bare weekday ("on Tuesday") was read as the last one; for what is still to come it is the next
            shifted = when.start + timedelta(days=7)
            event.when = when.model_copy(update={"start": shifted, "end": shifted})
        if event.explicit_status or event.when is None or event.type != "CONSULT" or "past" in event.tenses:
            continue
        if event.when.start > published:
            event.status = "planned"
        elif event.when.start <= published <= event.when.end and "present" in event.tenses:
            event.status = "ongoing"


def jaccard(a: set[str], b: set[str]) -> float:
    """Overlap of two sets of actors (1.0 when both are empty)."""
    return len(a & b) / len(a | b) if a | b else 1.0


def _is_directed(c: Candidate, lex: Lexicon) -> bool:
    entries = lex.triggers.get(_lemma(c.trigger), [])
    return any(e.get("args") == "directed" for e in entries)

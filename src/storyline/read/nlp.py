"""One parse format for every language, whatever library produces it.

A backend turns text into tokens with offsets, lemmas, universal POS tags, universal dependencies and
morphological features (Universal Dependencies conventions), and sentences. Which backend and model a language
uses is the language's data (``language.json``); backends are loaded once per process.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from storyline.languages import Language


@dataclass(slots=True)
class Token:
    i: int
    start: int
    end: int
    text: str
    lemma: str
    pos: str
    dep: str
    head: int
    sent: int
    feats: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class Sentence:
    start: int
    end: int
    first: int  # index of its first token
    last: int  # index one past its last token


@dataclass
class Parse:
    tokens: list[Token]
    sentences: list[Sentence]
    # Named-entity spans of the language's recogniser: (start, end, label) with the model's own labels
    # (spaCy: PERSON/PER, ORG, GPE/LOC, ...; natasha: PER, ORG, LOC).
    entities: list[tuple[int, int, str]] = field(default_factory=list)

    def sentence_tokens(self, s: int) -> list[Token]:
        sent = self.sentences[s]
        return self.tokens[sent.first : sent.last]

    def children(self, token: Token) -> list[Token]:
        sent = self.sentences[token.sent]
        return [t for t in self.tokens[sent.first : sent.last] if t.head == token.i and t.i != token.i]

    def ancestors(self, token: Token) -> list[Token]:
        chain: list[Token] = []
        current = token
        while current.head != current.i and len(chain) < 50:
            current = self.tokens[current.head]
            chain.append(current)
        return chain

    def token_at(self, offset: int) -> Token | None:
        lo, hi = 0, len(self.tokens)
        while lo < hi:
            mid = (lo + hi) // 2
            if self.tokens[mid].end <= offset:
                lo = mid + 1
            else:
                hi = mid
        return self.tokens[lo] if lo < len(self.tokens) and self.tokens[lo].start <= offset else None


Parser = Callable[[str], Parse]


SENTENCE_END = frozenset(".!?…")
CLOSERS = frozenset('»"”’)')


def _set_sentence_starts(doc: Any) -> Any:
    """Sentence boundaries before the parser runs, so that it respects them: after final punctuation
    (and closing quotes) and at line breaks. The statistical splitter alone cuts "Tokyo prévoit..." after
    "Tokyo" at the start of a text."""
    after_end = True
    for token in doc:
        if token.is_space:
            token.is_sent_start = after_end if token.i == 0 else False
            if "\n" in token.text:
                after_end = True
            continue
        token.is_sent_start = after_end
        if token.text in SENTENCE_END or (
            token.text[-1] in SENTENCE_END and len(token.text) > 1 and token.is_punct
        ):
            after_end = True
        elif token.text in CLOSERS and after_end:
            token.is_sent_start = False
        else:
            after_end = False
    return doc


def _spacy(options: dict[str, Any]) -> Parser:
    import spacy
    from spacy.language import Language as SpacyLanguage

    if "storyline_sentences" not in SpacyLanguage.factories:
        SpacyLanguage.component("storyline_sentences", func=_set_sentence_starts)
    nlp = spacy.load(options["model"], exclude=options.get("exclude", ["senter"]))
    nlp.add_pipe("storyline_sentences", before="parser")
    nlp.max_length = 20_000_000

    def parse(text: str) -> Parse:
        doc = nlp(text)
        tokens: list[Token] = []
        sentences: list[Sentence] = []
        for sent in doc.sents:
            words = [t for t in sent if not t.is_space]
            if not words:
                continue
            s = len(sentences)
            sentences.append(
                Sentence(words[0].idx, words[-1].idx + len(words[-1].text), len(tokens), len(tokens))
            )
            base = len(tokens)
            index = {t.i: base + k for k, t in enumerate(words)}
            for t in words:
                feats = {k: v for k, v in t.morph.to_dict().items() if isinstance(v, str)}
                i = index[t.i]
                tokens.append(
                    Token(
                        i,
                        t.idx,
                        t.idx + len(t.text),
                        t.text,
                        t.lemma_,
                        t.pos_,
                        t.dep_,
                        index.get(t.head.i, i),
                        s,
                        feats,
                    )
                )
            sentences[-1].last = len(tokens)
        entities = [(e.start_char, e.end_char, e.label_) for e in doc.ents]
        return Parse(tokens, sentences, entities)

    return parse


def _natasha(options: dict[str, Any]) -> Parser:
    from natasha import (
        Doc,
        MorphVocab,
        NewsEmbedding,
        NewsMorphTagger,
        NewsNERTagger,
        NewsSyntaxParser,
        Segmenter,
    )

    segmenter = Segmenter()
    embedding = NewsEmbedding()
    morph = NewsMorphTagger(embedding)
    syntax = NewsSyntaxParser(embedding)
    ner = NewsNERTagger(embedding)
    vocab = MorphVocab()

    def parse(text: str) -> Parse:
        tokens: list[Token] = []
        sentences: list[Sentence] = []
        entities: list[tuple[int, int, str]] = []
        offset = 0
        # razdel would join a headline to the paragraph under it: each line is segmented on its own.
        for line in text.split("\n"):
            if line.strip():
                _parse_line(line, offset, tokens, sentences, entities)
            offset += len(line) + 1
        return Parse(tokens, sentences, entities)

    def _parse_line(
        line: str,
        offset: int,
        tokens: list[Token],
        sentences: list[Sentence],
        entities: list[tuple[int, int, str]],
    ) -> None:
        doc = Doc(line)
        doc.segment(segmenter)
        doc.tag_morph(morph)
        doc.parse_syntax(syntax)
        doc.tag_ner(ner)
        entities.extend((offset + span.start, offset + span.stop, span.type) for span in doc.spans)
        for sent in doc.sents:
            first = len(tokens)
            s = len(sentences)
            ids = {t.id: first + k for k, t in enumerate(sent.tokens)}
            for k, t in enumerate(sent.tokens):
                t.lemmatize(vocab)
                i = first + k
                head = ids.get(t.head_id, i)
                rel = "ROOT" if head == i else (t.rel or "dep")
                lemma = (t.lemma or t.text).lower()
                feats = dict(t.feats or {})
                tokens.append(
                    Token(
                        i, offset + t.start, offset + t.stop, t.text, lemma, t.pos or "X", rel, head, s, feats
                    )
                )
            sentences.append(Sentence(offset + sent.start, offset + sent.stop, first, len(tokens)))

    return parse


BACKENDS: dict[str, Callable[[dict[str, Any]], Parser]] = {"spacy": _spacy, "natasha": _natasha}


@cache
def parser_for(language: Language) -> Parser:
    """The language's parser, built once per process."""
    options = dict(language.nlp)
    return BACKENDS[options.pop("backend")](options)

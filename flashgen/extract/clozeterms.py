"""Key terms: which bold in a sentence is worth a cloze (a fact to recall), and which is a
label, a stress, a remark, an aside or a giveaway. Pure: a sentence's inlines in, a verdict
out.
"""

from __future__ import annotations

import re

from flashgen.extract.labels import NOT_LABELS
from flashgen.parse import Inline, plain_text

_MIN_OTHER_WORDS = 4
"""Words a bold term's sentence needs besides the term, to say which fact is asked."""
_MAX_TERM_WORDS = 8
_PREFIX = 6
"""Letters two words share at their start to be one word with two endings."""

_MAX_TERM_CHARS = 80
# Bold that stresses a word rather than names a fact to learn.
_EMPHASIS = frozenset(
    {
        *NOT_LABELS,
        "not",
        "no",
        "never",
        "always",
        "only",
        "all",
        "must",
        "do not",
        "don't",
        "cannot",
        "can't",
        "and",
        "or",
        "but",
        "very",
        "also",
        "except",
        "both",
        "none",
        "any",
        "every",
        "yes",
        "key",
        "example",
        "e.g.",
    }
)
# After a sentence's leading bold, a verb makes it a statement about the term
# (`**Warfarin** inhibits ...`, `**X** is the most common ...`); a bold imperative
# (`**Right-click** the file`) is followed by its object instead.
_STATEMENT_VERB = re.compile(
    r"^\s*(?:\([^)]{1,60}\)\s*)?(?:,[^,]{1,60},\s*)?"
    r"(?:is|are|was|were|has|have|had|can|may|might|must|should|will|would|does|do"
    r"|did|remains?|occurs?|causes?|presents?|affects?|involves?|leads?|results?"
    r"|requires?|inhibits?|blocks?|binds?|increases?|decreases?|reduces?|produces?"
    r"|activates?|appears?|develops?|forms?|contains?|includes?|uses?|works?|acts?"
    r"|(?!(?:this|his|its|as|us|was|thus|plus|yes|less|across|unless|always)\b)"
    r"[a-z]{3,}s)\b",
    re.IGNORECASE,
)
# Bold that holds a verb of its own states a fact, stressed (`**most patients are in a
# chronic catabolic state**`, `**must appear in the group by list**`); a term names a
# thing, and a gap of a clause has many fillers.
_CLAUSE = re.compile(
    r"\b(?:is|are|was|were|has|have|had|can|cannot|could|may|might|must|should|will"
    r"|would|does|do|did|isn't|aren't|don't|doesn't)\b",
    re.IGNORECASE,
)
_RELATIVE = re.compile(r"\b(?:that|which|who|whom|whose|where|when)\b", re.IGNORECASE)
"""Before the verb, a clause that says which thing the term names (`**severe pain that is
out of proportion**`): still a term."""
_SHOUTED = re.compile(r"(?=.*[A-Z]{5})[A-Z]{2,}(?:[ -][A-Z]{2,})+")
"""Two words or more in capitals, one of five letters or more (not acronyms side by
side, `ACE ARB`): shouted."""
_LIST_END = re.compile(r",[^,.;:]{1,40},\s*(?:and|or)\s+(?:\w+\s+)?$")
# `**A**, B, and C` or `**A**, B, C`: the items after the term are short names.
_LIST_START = re.compile(
    r"\s*,\s*(?:[\w/-]+\s+){0,2}[\w/-]+\s*,\s*(?:(?:and|or)\b|(?:[\w/-]+\s+){0,2}[\w/-]+\s*,)"
)
_STRESSED_VERB = re.compile(
    r"^\s+(?:the|a|an|with|to|into|from|onto|upon|its|their|his|her|them|it)\b"
)
# Words that name nothing to recall on their own.
_VAGUE = frozenset(
    [
        "something",
        "else",
        "anything",
        "everything",
        "nothing",
        "thing",
        "things",
        "stuff",
        "it",
        "this",
        "that",
        "these",
        "those",
        "one",
        "ones",
        "same",
        "other",
        "others",
        "more",
        "less",
        "very",
        "all",
        "some",
        "any",
        "etc",
        "the",
        "a",
        "an",
        "of",
        "and",
        "or",
        "to",
        "in",
        "on",
    ]
)


def is_key_term(
    inlines: tuple[Inline, ...],
    index: int,
    text: str,
    names: set[str],
    headings: set[str] | None = None,
) -> bool:
    """Bold that names a fact to learn in its sentence, not a label, a stress or a
    whole sentence in bold. `names`: the note's title and headings above; `headings`:
    the headings alone."""
    folded = text.casefold().strip(" :")
    if not text or folded in _EMPHASIS or "==" in text:
        return False
    if named(text, names, names if headings is None else headings):
        return False
    if all(word in _VAGUE for word in words(text).split()):
        return False  # `something else`: nothing to recall
    if is_reference(text):
        return False  # `**Figure 6**`: where the note points, not what it says
    if len(text) > _MAX_TERM_CHARS or len(text.split()) > _MAX_TERM_WORDS:
        return False
    if text.endswith((".", "!", "?", ":")):
        return False
    if clause(text):
        return False  # `**duration of infection is unknown**`: a statement stressed
    if _SHOUTED.fullmatch(text):
        return False  # `**PRIME TARGETS**`: words shouted, not a term named
    after = inlines[index + 1] if index + 1 < len(inlines) else None
    before = inlines[index - 1] if index else None
    head = after.text if after is not None and after.kind == "text" else ""
    tail = before.text if before is not None and before.kind == "text" else ""
    if head.lstrip("\"'\u201d\u2019)").startswith(":") or text.startswith("("):
        return False  # `**Cause:**` or `"**GPA**":` mid-line: a label; an aside
    if re.match(r"\w", head) or re.search(r"\w$", tail) or len(text) < 2:
        return False  # `**B**asophils`: the letters of a mnemonic, inside a word
    if _in_list(plain_text(inlines[:index]), plain_text(inlines[index + 1 :])):
        return False  # `ulcers, **perforation**, strictures`: one of many, unasked
    if _STRESSED_VERB.match(head) and re.fullmatch(r"[a-z]+", text):
        return False  # `the client **initiates** the connection`: a stressed word
    said_before = plain_text(inlines[:index])
    said_after = plain_text(inlines[index + 1 :])
    if aside(said_before, said_after):
        return False  # `enzyme immunoassay (**EIA**)`: a second name, an aside
    if given(text, said_before, said_after):
        return False  # `Growth hormone-releasing hormone (**GHRH**)`: spelled out
    if slot(said_before, said_after):
        return False  # `like Administrators and **Users**`: one of many
    if other_words(inlines, text) < _MIN_OTHER_WORDS or repeated(inlines, text):
        return False
    bold_words = sum(
        len(plain_text(i.children).split()) for i in inlines if i.kind == "strong"
    )
    if mostly(bold_words, inlines):
        return False  # mostly bold: emphasis of the whole, not a term
    if any(i.kind != "task" and not blank(i) for i in inlines[:index]):
        return True
    # A sentence's leading bold: a fact about the term (`**X** is the most common
    # cause of Y`, a definition that does not say what X is) hides it; a bold
    # imperative (`**Right-click** the file`) does not.
    head = after.text if after is not None and after.kind == "text" else ""
    return bool(_STATEMENT_VERB.match(head))


def clause(text: str) -> bool:
    """Words that hold a verb of their own, not after a `that` or `which` that names
    what they say of (`severe pain that is out of proportion` is a term)."""
    verb = _CLAUSE.search(text)
    return verb is not None and not _RELATIVE.search(text[: verb.start()])


def repeated(inlines: tuple[Inline, ...], term: str) -> bool:
    """The term's words stand elsewhere in its sentence too (`a **cardiomyopathy**
    (catecholamine cardiomyopathy)`), or a word of it inside another word there, or
    the other way round (`supervised and **unsupervised** learning`), or half its words
    or more (`the **Reply-To address** ... the "Reply-To" field`): the gap is filled
    before it is read."""
    said = words(term)
    if not said:
        return False
    rest = f" {words(plain_text(inlines))} ".replace(f" {said} ", " ", 1)
    if f" {said} " in rest:
        return True
    hidden = {word for word in said.split() if len(word) >= _STEM}
    shown = {word for word in rest.split() if len(word) >= _STEM} - hidden
    if any(h in v or v in h for h in hidden for v in shown):
        return True
    # In the sentence itself, words one letter further alike (`breathing` does not
    # say `breathlessness`).
    return half_said(term, rest, _PREFIX + 1)


def half_said(term: str, shown: str, prefix: int = _PREFIX) -> bool:
    """Half the term's own words or more stand in `shown` (words, maybe with other
    endings: `configured` in *DNS Configuration*, `intermediate` in *Intermediary
    pituitary*, `year` in *within the past year*): a term of several words whose gap
    the rest half fills. An acronym of the term is one of its own words; small and
    vague words are not."""
    content = _own_words(term)
    if not content or len(words(term).split()) < 2:
        return False  # one word: said again whole, or not at all (see above)
    stems = set(_stems(shown).split())
    prefixes = {w[:prefix] for w in stems if len(w) >= prefix}
    found = sum(
        1
        for word in content
        if word in stems or (len(word) >= prefix and word[:prefix] in prefixes)
    )
    return found * 2 >= len(content)


_FUNCTION = frozenset(
    """from with into onto that than then when which what where while their there
    have been were will would could should about over under upon also just only
    """.split()  # noqa: SIM905 - a word list reads better as text
)


def spells(term: str, headings: tuple[str, ...]) -> bool:
    """The initials of the term's words spell an acronym a heading above says (`lower
    and upper part` under *LU Decomposition*)."""
    initials = "".join(word[0] for word in _own_words(term) if not word.isdigit())
    acronyms = {
        token.casefold()
        for heading in headings
        for token in re.findall(r"\b[A-Z][A-Z0-9]{1,5}\b", heading)
    }
    return len(initials) >= 2 and any(acronym in initials for acronym in acronyms)


def _own_words(term: str) -> list[str]:
    """The words that say what a term is: acronyms (`CSF`), numbers (`10-40 minutes`),
    and words of four letters or more that are neither vague (`other`, `something`) nor
    small (`from`, `with`)."""
    kept = []
    for token in re.findall(r"[^\W_]+", term):
        word = _stems(token)
        if not word or word in _VAGUE or word in _FUNCTION:
            continue
        if len(word) > 3 or word.isdigit() or (len(token) >= 2 and token.isupper()):
            kept.append(word)
    return kept


_STEM = 5
"""Letters a word needs before one inside another counts as the same word."""


def words(text: str) -> str:
    """The text's words in lower case; `_` parts words (`Online_Machine_Learning`)."""
    return " ".join(re.findall(r"[^\W_]+", text.casefold()))


def named(term: str, names: set[str], headings: set[str] | None = None) -> bool:
    """The term is the note's title or is said by a heading above it (`DHCP` under
    *DHCP and DNS*, `Operating System (OS)` under *What is an Operating System?*), or
    half of it is said by a heading (`hardware devices` under *Hardware Interrupts*; a
    note's title names its topic, which many of its terms share: `latent syphilis` in
    *Syphilis*): the context line shows the answer."""
    aside = re.search(r"\(\s*([^()]+?)\s*\)?\s*$", term)
    if aside and aside.start() and named(aside.group(1), names, headings):
        return True  # `File Transfer Protocol (FTP` under *FTP Enumeration*
    said = _stems(re.sub(r"\s*\([^)]*\)?\s*$", "", term))
    if not said:
        return False
    if any(
        f" {said} " in f" {_stems(name)} "
        or said.replace(" ", "") in _stems(name).split()
        for name in names
    ):
        return True
    # Half the words of a term of several words said by a heading above, apart
    # (`hardware devices` under *Hardware Interrupts*).
    if half_said(term, " ".join(names if headings is None else headings)):
        return True
    content = [w for w in said.split() if len(w) > 3 and w not in _VAGUE]
    shown = {w for name in names for w in _stems(name).split()}
    # Each word one the context line says with another ending (`trichomoniasis` under
    # *Trichomonas vaginalis*, `process` under *Understanding Processes*).
    prefixes = {w[:_PREFIX] for w in shown if len(w) >= _PREFIX}
    return bool(content) and all(
        len(w) >= _PREFIX and w[:_PREFIX] in prefixes for w in content
    )


def _stems(text: str) -> str:
    """Words without a plural `s` (`interrupt` is said by *Interrupts*)."""
    return " ".join(
        word[:-1] if len(word) > 3 and word.endswith("s") else word
        for word in words(text).split()
    )


def _in_list(before: str, after: str) -> bool:
    """The term is one item of a list of three or more written in the sentence."""
    if _LIST_END.search(before):
        return True
    if re.search(r",\s*$", before) and re.match(r"\s*(?:,|(?:and|or)\b)", after):
        return True
    return bool(_LIST_START.match(after))


def slot(before: str, after: str = "") -> bool:
    """A gap any of several words would fill: an item of examples (`groups like
    Administrators and **Users**`, `groups like **Administrators** and Users`)."""
    if _EXAMPLES.search(before):
        return True
    return bool(_EXAMPLE_OPENS.search(before)) and bool(
        re.match(r"\s*(?:,|and\b|or\b)", after)
    )


_EXAMPLE_OPENS = re.compile(
    r"\b(?:like|such as|e\.g\.,?|eg|including|for example,?|for instance,?)\s*$",
    re.IGNORECASE,
)
_EXAMPLES = re.compile(
    r"\b(?:like|such as|e\.g\.|eg|including|for example|for instance)\b[^.;:]*"
    r"\b(?:and|or)\s+$",
    re.IGNORECASE,
)


def given(term: str, before: str, after: str) -> bool:
    """An acronym whose words stand just before it (`multiple endocrine neoplasia type 1
    (**MEN 1**)`), or a name whose acronym follows it (`**insulin-like growth factor**
    (IGF-1)`): the letters give the answer away."""
    if _ACRONYM.fullmatch(term) and sum(c.isupper() for c in term) >= 2:
        initials = _initials(before.split("(")[-2] if "(" in before else before)
        return _letters(term) in initials[-12:]
    aside = re.match(r"\s*\(([^()]{1,60})\)", after)
    if aside and _ALSO_CALLED.match(aside.group(1)):
        return True  # `**arginine vasopressin** (aka antidiuretic hormone)`
    if aside and _is_alias(term, aside.group(1)):
        return (
            True  # `**group A strep** (S. pyogenes)`, `**hCG** (human chorionic ...)`
        )
    found = re.match(r"\s*\(\s*(" + _ACRONYM.pattern + r")\s*\)", after)
    if found is None or sum(c.isupper() for c in found.group(1)) < 2:
        return False
    letters, initials = iter(_initials(term)), _letters(found.group(1))
    return all(letter in letters for letter in initials)  # in order, some left out


def aside(before: str, after: str) -> bool:
    """The term is all of a parenthesis (`enzyme immunoassay (**EIA**)`, `a biopsy (eg,
    **bronchoscopy**)`): an aside, a second name or an example, not the fact the
    sentence states."""
    opened = re.search(
        r"[(\[]\s*(?:(?:e\.?g|i\.?e|eg|ie)\.?,?|such as|see)?\s*$",
        before,
        re.IGNORECASE,
    )
    return opened is not None and after.lstrip().startswith((")", "]"))


_REFERENCE = re.compile(
    r"^(?:fig(?:ure)?|table|eq(?:uation)?|chapter|section|slide|page|appendix)\.?\s*"
    r"[\dIVX]",
    re.IGNORECASE,
)


def is_reference(term: str) -> bool:
    """`Figure 6`, `Table 2`: where the note points, not what it says."""
    return _REFERENCE.match(term) is not None


_ACRONYM = re.compile(r"[A-Z][A-Za-z0-9-]{1,7}(?: \d{1,2})?")


_ALSO_CALLED = re.compile(
    r"\s*(?:a\.k\.a\.|(?:aka|also known as|also called|otherwise known as|formerly|"
    r"previously)\b)",
    re.IGNORECASE,
)


def _is_alias(term: str, aside: str) -> bool:
    """What a parenthesis right after a term says is another name for it: an acronym's
    words (their initials hold its letters, in order), or a short name, capitalised, of
    three words or fewer with no verb or number in it (`(S. pyogenes)`)."""
    # `**elevated hCG** (human chorionic gonadotropin)`: the acronym it ends on.
    term = term.split()[-1] if term.split() else term
    letters = [c for c in term if c.isupper()]
    if re.fullmatch(r"[A-Za-z0-9-]{2,8}", term) and len(letters) >= 2:
        initials = iter(_initials(aside))
        if all(letter in initials for letter in letters):
            return True
    said = aside.split()
    if not said or not said[0][:1].isupper() or any(c.isdigit() for c in aside):
        return False  # `(a somatostatin analogue)`, `(55% of cases)`: said of it
    return len(said) <= 3 and not any(w.casefold() in _VERBS for w in said)


_VERBS = frozenset(
    [
        *("is", "are", "was", "were", "be", "been", "has", "have", "had", "can"),
        *("may", "must", "will", "does", "do", "see", "e.g.", "i.e.", "eg", "ie"),
        *("which", "that", "who"),
    ]
)


def _initials(text: str) -> str:
    return "".join(word[0] for word in re.findall(r"[A-Za-z0-9]+", text)).upper()


def _letters(acronym: str) -> str:
    return "".join(c for c in acronym if c.isupper())


def mostly(hidden_words: int, inlines: tuple[Inline, ...]) -> bool:
    """More than three fifths of the sentence: too little left to ask with."""
    return hidden_words * 5 > len(plain_text(inlines).split()) * 3


def other_words(inlines: tuple[Inline, ...], term: str) -> int:
    return max(0, len(plain_text(inlines).split()) - len(term.split()))


def blank(inline: Inline) -> bool:
    return inline.kind == "text" and not inline.text.strip()

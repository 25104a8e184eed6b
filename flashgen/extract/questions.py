"""Questions: how a card's label is worded on its front. Identity never depends on this.

A label or heading that is only a genre word (*Advantages*, *Example*, *Overview*) is asked
with the nearest specific heading or outer label: *RAID 5 - Advantages*. So is a short
sub-label of one or two words (*Flaw*, *Defaults*, *On the target*, *How it works*): people
write them under a heading that says what they are about, and the front must say it too
(*Caesar Cipher - Flaw*), unless the label already names that subject. Numbering and ids
(`4. Execute ...`, `03 - Storage`, `Step 2:`, `Theo 2`) are the note's structure, not part of
what is asked, and are left off.
"""

from __future__ import annotations

import re

from flashgen.parse import Inline, plain_text

# Words that name a part of a topic rather than a topic: a label made only of these (and
# the small words below) needs its subject beside it.
GENRE_WORDS = frozenset(
    """
    advantages advantage disadvantages disadvantage pros cons benefits benefit drawbacks
    drawback limitations limitation strengths weaknesses example examples syntax definition
    definitions output outputs usage use uses overview description descriptions goal goals
    outcome outcomes method methods technique techniques algorithm algorithms purpose
    purposes explanation details detail notes summary takeaways mitigation mitigations
    properties property features feature characteristics applications application types
    causes cause symptoms signs treatment treatments diagnosis management complications
    risk risks factors pathophysiology presentation epidemiology prognosis function
    functions structure steps step process procedure implementation notation formula
    formulas location analysis automated manual setup introduction intro background
    concept concepts idea theory solution solutions result results approach resources
    references artifact code gotcha gotchas caveat caveats tip tips importance
    components component parameters options commands command flags arguments return
    returns demo illustration case cases scenario scenarios prevention detection
    defense defence countermeasures remediation impact impacts consequences effects
    mechanism workflow requirements prerequisites installation configuration
    practice exercise exercises problem question answer proof remarks remark comments
    comparison differences difference similarities explained meaning key main general
    basic basics additional further more other quick simple common typical theorem
    theorems proposition lemma corollary stage phase part chapter section lab task
    responsibilities responsibility capabilities capability considerations consideration
    precautions precaution contrast flaw flaws priority defaults default rule rules
    glossary terms terminology vocabulary abbreviations acronyms keywords propositions
    lemmas corollaries axioms works work matters happens conclusion conclusions point
    points remember things important recap attack attacks information config configs
    settings complexity time space
    """.split()  # noqa: SIM905 - a word list reads better as text
)
_SMALL_WORDS = frozenset(
    {"and", "or", "of", "the", "a", "an", "for", "in", "to", "&", "/"}
)
# Words that carry no subject in a short label (`How it works`, `On the target`).
_FUNCTION_WORDS = _SMALL_WORDS | frozenset(
    """
    on at by with over vs versus from into as about is are was were be it its this that
    these those we you they our your how what why when where which who does do can use
    """.split()  # noqa: SIM905 - a word list reads better as text
)
_SHORT_LABEL_WORDS = 2
_GLOSSARY_WORDS = frozenset(
    [
        "glossary",
        "terms",
        "terminology",
        "vocabulary",
        "definitions",
        "definition",
        "abbreviations",
        "acronyms",
        "keywords",
        "key",
    ]
)
_ACRONYMS = re.compile(r"[A-Z][A-Z0-9]+(?:[\s,/&-]+[A-Z][A-Z0-9]+)*")
_LONGEST_SUBJECT_WORDS = 8
_TITLE_TAIL_WORDS = 5
"""Words of a long note title a question takes as its subject: the last ones."""
# `What is the Kernel?` names the Kernel.
_WHAT_IS = re.compile(r"^(?:what|who)\s+(?:is|are)\s+(?:(?:a|an|the)\s+)?", re.I)

# `4. `, `03 - `, `a) `, `1.2 `, `(3) `, `IV. `, and Atomic-Potato's `🟩1 @ `: numbering
# in front of a title. A bare number stays (`404 Not Found`, `10 Dermatology`) unless it
# has a leading zero (`03 Storage`). A number of three digits is a code, not a count: a
# status or reply code (`214: "Help message"`, `404 - Not Found`) or a port is the fact.
_NUMBERING = re.compile(
    r"^[^\w\s(\[]{0,3}\s*(?:"
    r"\d{1,3}(?:\.\d{1,3})+\.?\s+"
    # A capital and a full stop before a word in lower case is a genus (`E. coli`,
    # `G. vaginalis`), not a numbering.
    r"|(?![A-Z]\.\s*[a-z])"
    r"(?:\d{1,2}|0\d\d|[A-Za-z]|[ivxlcdmIVXLCDM]{1,5})[.)]\s*(?:[-:\u2013\u2014@]\s*)?"
    r"|\(\w{1,3}\)\s*"
    r"|(?:\d{1,2}|0\d\d)(?:\.\d{1,3})*\s*[-:\u2013\u2014@]\s+"
    r"|0\d\s+"
    r")(?=\S)"
)
# `Step 2:`, `Theo 2`, `Prop 2 (Subgroup)`, `Theorem 3.1 -`, `Example 4`: an id.
_ID_WORDS = {
    "theo": "Theorem",
    "thm": "Theorem",
    "theorem": "Theorem",
    "prop": "Proposition",
    "proposition": "Proposition",
    "lemma": "Lemma",
    "lem": "Lemma",
    "cor": "Corollary",
    "corollary": "Corollary",
    "def": "Definition",
    "defn": "Definition",
    "definition": "Definition",
    "example": "Example",
    "ex": "Example",
    "exercise": "Exercise",
    "step": "Step",
    "part": "Part",
    "phase": "Phase",
    "stage": "Stage",
    "problem": "Problem",
    "question": "Question",
    "q": "Question",
    "chapter": "Chapter",
    "section": "Section",
    "lab": "Lab",
    "task": "Task",
    "case": "Case",
}
_ID = re.compile(
    r"^(?P<word>[A-Za-z]{1,11})\.?\s*(?P<number>\d{1,3}(?:\.\d{1,3})*[a-z]?|[IVX]{1,4})"
    r"\b\s*(?P<rest>.*)$",
    re.DOTALL,
)
_NAME_IN_PARENS = re.compile(r"^\((?P<name>[^()]+)\)\s*[.:]?\s*$")
# `Prop 3 IMPORTANT (Subgroup)`: a word the author shouts to mark a point is no part of
# its name.
_SHOUTED = re.compile(r"^(?:IMPORTANT|NOTE|NB|KEY|REMEMBER|WARNING|TIP)\b[!:.]*\s*")


def strip_numbering(text: str) -> str:
    """A title without the numbering or id in front of it ("" when that is all it is)."""
    if found := _NUMBERING.match(text):
        text = text[found.end() :]
    if (found := _ID.match(text)) and found.group("word").casefold() in _ID_WORDS:
        word = _ID_WORDS[found.group("word").casefold()]
        rest = _SHOUTED.sub("", found.group("rest").strip())
        if named := _NAME_IN_PARENS.match(rest):
            return named.group("name").strip()
        rest = re.sub(r"^[-:.\u2013\u2014)]+\s*", "", rest).strip()
        return rest or word
    return text


def label_number(text: str) -> str:
    """The id or number that strip_numbering leaves off, as a front may show it when it
    is all that tells two cards apart (`Theo 2` -> "Theorem 2", `3. Example` -> "3");
    "" when there is none."""
    rest = text
    number = ""
    if found := _NUMBERING.match(text):
        number = re.sub(r"[^\w.]|\.$", "", found.group(0)).strip(".")
        rest = text[found.end() :]
    if (found := _ID.match(rest)) and found.group("word").casefold() in _ID_WORDS:
        return f"{_ID_WORDS[found.group('word').casefold()]} {found.group('number')}"
    return number


def numbered(question: tuple[Inline, ...], text: str) -> tuple[Inline, ...]:
    """A question that reads the same as another card's, told apart by its label's id:
    *Eulerian Graphs - Theorem* -> *Eulerian Graphs - Theorem 2*, *Algebra - Subgroup* ->
    *Algebra - Subgroup (Proposition 3)*."""
    number = label_number(text)
    if not number:
        return question
    shown = plain_text(question).rstrip()
    if " " not in number:  # `3. Example` -> *Example 3*
        return (*question, Inline("text", f" {number.lstrip('0') or number}"))
    word = number.split()[0]
    if shown.casefold().endswith(word.casefold()):
        return (Inline("text", shown[: len(shown) - len(word)] + number),)
    return (*question, Inline("text", f" ({number})"))


def is_generic(text: str) -> bool:
    """True when the text names only a genre (*Syntax*, *Key Takeaways*), no subject."""
    words = re.findall(r"[\w&/]+", text.casefold())
    meaningful = [word for word in words if word not in _FUNCTION_WORDS]
    return bool(meaningful) and all(word in GENRE_WORDS for word in meaningful)


def _has_genre_word(text: str) -> bool:
    """A genre word and no acronym (`Advantages of SEMs`, `FTPBounce attack` name their
    subject)."""
    if any(sum(c.isupper() for c in word) >= 2 for word in text.split()):
        return False
    return any(word in GENRE_WORDS for word in re.findall(r"[\w&/]+", text.casefold()))


def is_short(text: str) -> bool:
    """True for a label of at most two words that carry meaning (*Defaults*, *Rule of
    Thumb*, *On the target*): a sub-label that reads only under its heading."""
    words = re.findall(r"[\w&/'-]+", text.casefold())
    meaningful = [word for word in words if word not in _FUNCTION_WORDS]
    return len(meaningful) <= _SHORT_LABEL_WORDS


def subject_of(context: tuple[str, ...], title: str) -> str:
    """The nearest heading or outer label that names a subject, else the note's title."""
    return _subject_in(context) or _title_subject(title)


def _subject_in(context: tuple[str, ...]) -> str:
    """The nearest heading or outer label that names a subject, or ""."""
    for part in reversed(context):
        named = strip_numbering(part).strip()
        if named and not is_generic(named):
            if _WHAT_IS.match(named) and named.endswith("?"):
                return _WHAT_IS.sub("", named).rstrip("?").strip() or named
            return named
    return ""


def _title_subject(title: str) -> str:
    # A file name written with underscores (`DSA_Practice_Set`) reads with spaces.
    named = strip_numbering(title).strip() or title
    return named.replace("_", " ")


def ask(
    label: tuple[Inline, ...],
    text: str,
    context: tuple[str, ...],
    title: str,
    *,
    short_needs_subject: bool = True,
) -> tuple[Inline, ...]:
    """The question's inlines for a label (its plain text given): numbering left off, and
    a generic or short label asked with its subject (*RAID 5 - Advantages*). A term being
    defined (`short_needs_subject` False) or a formula is specific as it stands."""
    stripped = strip_numbering(text).strip()
    if not stripped:
        stripped = text
    if stripped != text:
        label = _replace_text(label, text, stripped)
    generic = is_generic(stripped)
    # Under *Glossary* or *Definitions* a label is a term, asked as it stands.
    in_glossary = bool(context) and is_glossary(context[-1])
    short = short_needs_subject and not in_glossary
    if generic or (short and _reads_only_in_place(label, stripped)):
        # A short label right under the note's title reads as the note's own term; under
        # headings that only name genres (*Code*), the note's title is its subject.
        # A label with a genre word in it (*Security Considerations*, *Config files*)
        # names a part of a topic: right under the title, the note's.
        subject = (
            subject_of(context, title)
            if generic or context or _has_genre_word(stripped)
            else _subject_in(context)
        )
        if not subject or subject.casefold() == stripped.casefold():
            return label
        if "_" in subject or ("_" in title and subject == _title_subject(title)):
            # A file name names its topic last (`DSA_Arrays_Binary_Search_Questions_
            # peak_index_in_mountain_array`): a long one's last words are the subject.
            named = subject.replace("_", " ").split()
            if len(named) > _LONGEST_SUBJECT_WORDS:
                named = named[-_TITLE_TAIL_WORDS:]
            subject = " ".join(named)
        if generic or (
            len(subject.split()) <= _LONGEST_SUBJECT_WORDS
            and not _shares_word(stripped, subject)
        ):
            return (Inline("text", f"{subject} - "), *label)
    return label


def is_glossary(heading: str) -> bool:
    """A heading such as *Glossary*, *Terms* or *Key Definitions*: its labels are terms."""
    words = re.findall(r"\w+", strip_numbering(heading).casefold())
    return bool(words) and all(word in _GLOSSARY_WORDS | _SMALL_WORDS for word in words)


def _reads_only_in_place(label: tuple[Inline, ...], text: str) -> bool:
    """A short label, unless it is a formula or an acronym (`OSPF`, `SHA2, SHA3`): those
    name one thing wherever they stand."""
    if any(inline.kind in {"math", "display_math"} for inline in label):
        return False
    if _ACRONYMS.fullmatch(text):
        return False
    return is_short(text)


def _shares_word(label: str, subject: str) -> bool:
    """The label already names its subject (*Eulerian circuit* under *Eulerian Graphs*):
    a word of four letters or more in both, compared by its first five letters."""

    def stems(text: str) -> set[str]:
        words = re.findall(r"\w{4,}", text.casefold())
        return {word[:5] for word in words if word not in _FUNCTION_WORDS}

    return bool(stems(label) & stems(subject))


def _replace_text(
    label: tuple[Inline, ...], text: str, stripped: str
) -> tuple[Inline, ...]:
    """The label with its leading numbering cut: inline markup is kept when the numbering
    sits in the first text inline, else the label becomes plain text."""
    whole = text.strip()
    first = label[0] if label else None
    if whole.endswith(stripped) and first is not None and first.kind == "text":
        prefix = whole[: len(whole) - len(stripped)]
        head = first.text.lstrip()
        if head.startswith(prefix):
            rest = head[len(prefix) :].lstrip()
            return (*((Inline("text", rest),) if rest else ()), *label[1:])
    return (Inline("text", stripped),)

"""What a new password must not be: the checks of NIST SP 800-63B, section 5.1.1.2
("Memorized Secret Verifiers").

Conventions
-----------
* A new password has at least :data:`MIN_LENGTH` characters (Unicode code points, spaces
  included) and at most :data:`MAX_LENGTH`; any character may be used and no mix of character
  classes is demanded, as the guideline advises. Passwords set before this policy keep working:
  it applies only when a password is chosen.
* It is refused, in this order, when it contains the user name (ignoring case and punctuation,
  forwards or reversed, or any part of the name of four characters or more), when it is a
  repetitive or sequential pattern (``aaaa…``, ``abcabc…``, ``1234abcd…``), or when it is one of
  the commonly used passwords of :data:`COMMON_PASSWORDS_FILE`, even with digits or symbols
  added before or after, spaces between words, or look-alike characters (``p@ssw0rd``).
* :func:`password_problem` names the first rule broken in one sentence; :func:`checked_password`
  raises it as :class:`inventory.errors.InvalidInput`.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from inventory.errors import InvalidInput

MIN_LENGTH = 12
MAX_LENGTH = 256
SHORTEST_NAME = 3  # a whole user name this long or longer may not appear in the password
SHORTEST_NAME_PART = 4  # nor may a part of it ("lopez" of "ana.lopez") this long or longer
COMMON_PASSWORDS_FILE = (Path(__file__).resolve().parent.parent / "data" / "passwords"
                         / "common.txt")
RULES = (f"at least {MIN_LENGTH} characters (a few unrelated words make a good one); not your "
         "user name, a pattern such as 'abcabc' or '1234', or a commonly used password")

LOOK_ALIKES = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t",
                             "8": "b", "@": "a", "$": "s", "!": "i", "|": "l", "+": "t"})
NOT_A_LETTER_AT_THE_ENDS = re.compile(r"^[\W\d_]+|[\W\d_]+$")
NAME_SEPARATORS = re.compile(r"[\W_]+")


def password_problem(password: str, username: str) -> str | None:
    """The first rule ``password`` breaks for the account ``username``, as a sentence for the
    person choosing it, or None when it may be used."""
    password = password or ""
    if len(password) < MIN_LENGTH:
        return (f"a password needs at least {MIN_LENGTH} characters and this one has "
                f"{len(password)}; a few unrelated words make a long one that is easy to "
                "remember")
    if len(password) > MAX_LENGTH:
        return f"a password may have at most {MAX_LENGTH} characters"
    if contains_user_name(password, username):
        return ("the password contains the user name (or the name reversed, or a part of it); "
                "choose one that does not")
    if is_pattern(password):
        return ("the password is a repeated or sequential pattern (such as 'aaaa', 'abcabc' or "
                "'1234'); choose one that is not")
    if is_common(password):
        return ("the password is a commonly used one (digits, symbols or look-alike characters "
                "such as '@' for 'a' do not change that); choose a less predictable one")
    return None


def checked_password(password: str, username: str) -> str:
    """``password`` unchanged when it may be used; else :class:`InvalidInput` saying why."""
    problem = password_problem(password, username)
    if problem is not None:
        raise InvalidInput(problem)
    return password


def contains_user_name(password: str, username: str) -> bool:
    """Whether the letters and digits of ``password`` contain those of the user name, or of a
    part of it, forwards or reversed (case ignored)."""
    letters = _letters_and_digits(password)
    return any(form in letters or form[::-1] in letters for form in _name_forms(username))


def is_pattern(password: str) -> bool:
    """Whether ``password`` (case ignored) repeats itself (``abcabcabc``: every character
    equals the one a fixed period before it), or is made only of runs of three or more
    characters that stay the same or step by one (``aaa``, ``abc``, ``321``), so ``1234abcd``
    and ``aaabbbccc`` are patterns. The part between leading and trailing digits or symbols
    is checked too (``monkeymonkey!1``)."""
    text = password.casefold()
    core = NOT_A_LETTER_AT_THE_ENDS.sub("", text)
    return any(_repeats(candidate) or _made_of_runs(candidate)
               for candidate in {text, core} if candidate)


def is_common(password: str) -> bool:
    """Whether ``password`` is one of the commonly used passwords, once case, spaces, digits and
    symbols before or after the word, and look-alike characters are set aside."""
    listed = common_passwords()
    plain = "".join(password.casefold().split())
    return bool(_common_forms(password) & listed) or any(
        _padded_without_letters(plain, entry) for entry in listed)


@cache
def common_passwords() -> frozenset[str]:
    """The list in :data:`COMMON_PASSWORDS_FILE`: one password a line, ``#`` starts a comment."""
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().casefold() for line in lines
                     if line.strip() and not line.lstrip().startswith("#"))


def _letters_and_digits(text: str) -> str:
    return "".join(character for character in text.casefold() if character.isalnum())


def _name_forms(username: str) -> set[str]:
    """The whole user name (at least :data:`SHORTEST_NAME` letters and digits), its part before
    an ``@``, and its parts of at least :data:`SHORTEST_NAME_PART`."""
    name = (username or "").strip()
    forms = {_letters_and_digits(name), _letters_and_digits(name.split("@")[0])}
    forms = {form for form in forms if len(form) >= SHORTEST_NAME}
    parts = {_letters_and_digits(part) for part in NAME_SEPARATORS.split(name)}
    return forms | {part for part in parts if len(part) >= SHORTEST_NAME_PART}


def _repeats(text: str) -> bool:
    """Whether ``text`` has a period of at most half its length (``abab``, ``aaaa``)."""
    return any(all(text[i] == text[i - period] for i in range(period, len(text)))
               for period in range(1, len(text) // 2 + 1))


def _made_of_runs(text: str) -> bool:
    """Whether every character of ``text`` lies in a window of three that stays the same or
    steps by one (up or down) from one character to the next."""
    covered = [False] * len(text)
    for start in range(len(text) - 2):
        first = ord(text[start + 1]) - ord(text[start])
        second = ord(text[start + 2]) - ord(text[start + 1])
        if first == second and abs(first) <= 1:
            covered[start:start + 3] = [True, True, True]
    return len(text) >= 3 and all(covered)


def _padded_without_letters(text: str, entry: str) -> bool:
    """Whether ``text`` is ``entry`` with only digits and symbols before and after it (so a
    listed run of digits, ``123456``, is found inside ``123456789!``)."""
    start = text.find(entry)
    while start != -1:
        outside = text[:start] + text[start + len(entry):]
        if not any(character.isalpha() for character in outside):
            return True
        start = text.find(entry, start + 1)
    return False


def _common_forms(password: str) -> set[str]:
    """The forms looked up in the list: the password without spaces, and its core (digits and
    symbols before and after removed, look-alikes read as letters, separators removed)."""
    text = password.casefold()
    core = NOT_A_LETTER_AT_THE_ENDS.sub("", text).translate(LOOK_ALIKES)
    forms = {"".join(text.split()), NAME_SEPARATORS.sub("", core)}
    return {form for form in forms if form}

"""TBX (ISO 30042) import and export of the concept glossary.

Reads TBX-Basic in the 2008 `martif` structure (termEntry/langSet/tig or ntig) and TBX v3
(`tbx` root, conceptEntry/langSec/termSec, DCA or DCT style). Writes either structure.

Conventions beyond TBX-Basic, chosen so that `write_tbx` → `parse_tbx` is lossless:

* statute citations: one `<admin type="citation">` per citation on the concept entry;
* verification (`unverified`/`approved`): `<admin type="verification">` on the concept
  entry for the concept, inside the tig/termSec for the term;
* IPA: `<termNote type="pronunciation">` (a TBX-Default data category);
* variety (a free label such as 花垣): `<termNote type="geographicalUsage">`;
* concept note: `<note>` on the entry; term usage note: `<note>` in the tig/termSec;
* Chinese definition: `<descrip type="definition">` in the cmn language section (TBX-Basic
  places definitions there), on the entry when the concept has no cmn term;
* status: preferred/admitted/deprecated/forbidden ↔ preferredTerm-/admittedTerm-/
  deprecatedTerm-/supersededTerm-admn-sts. TBX-Basic has exactly these four values and no
  "forbidden"; a superseded term is one "no longer valid", which is what forbidden means
  in a record of interpretation.

Text values are stripped of surrounding white space. Language tags (`xml:lang`: ISO 639 codes
or any valid BCP 47 tag) are read by `languages.parse_language_tag`; a tag other than the
stored ISO 639-3 code is kept in each term's source (`原语言标记 zh-Hant-TW（繁体）`).

Reading (with line numbers for every problem) is in `tbx_read`, writing in `tbx_write`.
"""

from __future__ import annotations

from interp_service.glossary.exchange.tbx_read import parse_tbx
from interp_service.glossary.exchange.tbx_vocabulary import (
    normalize_part_of_speech,
    normalize_status,
)
from interp_service.glossary.exchange.tbx_write import write_tbx
from interp_service.glossary.languages import LanguageError, normalize_language

__all__ = [
    "LanguageError",
    "normalize_language",
    "normalize_part_of_speech",
    "normalize_status",
    "parse_tbx",
    "write_tbx",
]

"""The Miao lexicon: the 1956 Xiangxi orthography (orthography.py, its tables, the
spelling check of stored terms) and the Chen (2012) IPA conversion (ipa_convert.py,
lexicon_convert.py)."""

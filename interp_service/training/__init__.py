"""Training translation models from the service's approved data.

``export`` (approved memory and glossary pairs), ``dataset`` (normalise, deduplicate,
deterministic split recorded by hash), ``evaluation`` (chrF/BLEU of a model and of the
retrieval baseline, for the training command and the registry's promotion gate),
``runner`` (the whole run, into a model folder under the data folder) and ``cli``
(``interp-service train mt``). Importing this package loads no torch: ``runner`` does.
"""

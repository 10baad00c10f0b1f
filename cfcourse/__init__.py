"""What the lessons of the collaborative-filtering-with-Keras course call.

The lessons in ``notebooks/`` hold the models, the training and the analysis. This package has three parts:
the data supply imports neither of the others, the helpers import the data supply, and the exercises import
two of the helpers; nothing imports in a circle.

- the lessons' helpers. :mod:`cfcourse.lesson`: ``lesson.start`` opens a lesson; ``run.finish`` (a training
  lesson) or ``run.save_results`` ends it; ``run.read_results`` reads what an earlier lesson saved.
  :mod:`cfcourse.training` and :mod:`cfcourse.protocol`: generated from the cells lessons 02 and 06 mark
  ``#@save``, for the later lessons that import them. :mod:`cfcourse.ranking` (top-k lists and their metrics),
  :mod:`cfcourse.lists` (lesson 07's plumbing: its protocols, judging, EASE's limit, claims and record),
  :mod:`cfcourse.metrics` (RMSE and the models' metrics files) and :mod:`cfcourse.plotting`. What they stand on:
  ``course`` (the lessons and models, in order), ``paths``, ``runs``, ``parameters``, ``published`` (the
  published figures, ``check_claim``), ``processed``, ``prerequisites``, ``training_plan``, ``backend``
  (Keras imported quietly, seeds), ``tables``, and ``headless`` (a lesson run by papermill, for the scripts and
  the tests);
- :mod:`cfcourse.exercises`, the checked exercises at the end of each lesson: ``check`` and its ``record``,
  one module of judges per lesson (``lesson01`` ...) on shared ``answers`` and ``probes``, and the ``registry``.
  Of the helpers it imports ``published`` (strict mode) and ``ranking``, and no helper imports it;
- :mod:`cfcourse.data`, the data supply: download and verification (``download``, ``sources``, ``unpacking``,
  ``folder``, ``errors``), ``editions``, the dataset registry (``datasets``), ``readers``, ``encoding``,
  ``split``, ``synthetic`` and ``locations``.

The scripts in ``scripts/`` (the set-up, the download, the course runner, the maintainers' tools) import the
package; nothing in the package imports them.
"""

"""What the lessons of the collaborative-filtering-with-Keras course call.

The lessons in ``notebooks/`` hold the models, the training and the analysis. :mod:`cfcourse.course` holds one
record per lesson (its name, title, parameters, what it reads and writes, the figures it was published with,
its set-up step, its exercises), and everything below reads it; no other module names a lesson. The package
has three parts, and nothing imports in a circle:

- the lessons' helpers. :mod:`cfcourse.lesson`: ``lesson.start`` opens a lesson as its record says;
  ``run.finish`` (a training lesson) or ``run.save_results`` ends it; ``run.read_results`` reads what an
  earlier lesson saved. :mod:`cfcourse.training` and :mod:`cfcourse.protocol`: generated from the cells
  lessons 02 and 06 mark ``#@save``, for the later lessons that import them. :mod:`cfcourse.ranking` (top-k
  lists and their metrics), :mod:`cfcourse.lists` (lesson 07's plumbing: its protocols, judging, EASE's
  limit, claims and record), :mod:`cfcourse.metrics` (RMSE and the models' metrics files) and
  :mod:`cfcourse.plotting`. What they stand on: ``course`` (the records; it imports only ``paths``),
  ``paths``, ``runs``, ``parameters`` (each parameter's rule), ``published`` (the check against a record's
  published figures, ``check_claim``), ``processed``, ``prerequisites``, ``training_plan``, ``backend`` (Keras
  imported quietly, seeds), ``tables``, and ``headless`` (a lesson run by papermill, for the scripts and the
  tests). They import the data supply, never the exercises;
- :mod:`cfcourse.exercises`, the checked exercises at the end of each lesson: ``check`` and its ``record``,
  one module of judges per lesson (``lesson01`` ..., named by the lesson's record) on shared ``answers`` and
  ``probes``, and the ``registry`` that gathers them from the records. Of the helpers it imports ``course``,
  ``published`` (strict mode), ``metrics`` (the record's atomic write) and ``ranking``;
- :mod:`cfcourse.data`, the data supply: download and verification (``download``, ``sources``, ``unpacking``,
  ``folder``, ``errors``), ``editions``, the dataset registry (``datasets``), ``readers``, ``encoding``,
  ``split``, ``synthetic`` and ``locations``. It imports nothing else of the package.

The scripts in ``scripts/`` (the set-up, the download, the course runner, the maintainers' tools) import the
package; nothing in the package imports them.
"""

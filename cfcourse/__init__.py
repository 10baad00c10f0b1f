"""Plumbing for the collaborative-filtering-with-Keras course.

The lessons in ``notebooks/`` hold the models, the training and the analysis.
This package holds only what several lessons, the scripts and the tests share:

- :mod:`cfcourse.paths`         where downloaded data, processed data, models and metrics live
- :mod:`cfcourse.course`        the lessons in running order and the models they train
- :mod:`cfcourse.datasets`      the registry of MovieLens editions the course knows
- :mod:`cfcourse.download`      fetch, verify and unpack an archive (also a command-line tool), helped by
  :mod:`cfcourse.archive_sources` (folders, files and URLs, tried in order), :mod:`cfcourse.unpacking`
  (safe, capped extraction), :mod:`cfcourse.data_folder` (locks, temporary files, leftovers) and
  :mod:`cfcourse.download_errors` (the one-line messages)
- :mod:`cfcourse.editions`      which edition of a dataset is on disk, remembered beside its files
- :mod:`cfcourse.readers`       read each MovieLens file format into the same columns
- :mod:`cfcourse.synthetic`     a small MovieLens-shaped dataset with planted structure, for tests
- :mod:`cfcourse.encoding`      contiguous user and movie indices, and the maps back
- :mod:`cfcourse.split`         the saved train / validation / test split every lesson shares
- :mod:`cfcourse.seeding`       one call that makes a run reproducible
- :mod:`cfcourse.metrics`       RMSE, the per-model metrics files and the summary of runs
- :mod:`cfcourse.ranking`       top-k lists and their metrics (precision, recall, NDCG, coverage, popularity)
- :mod:`cfcourse.prerequisites` clear messages when a lesson runs before the one it builds on
- :mod:`cfcourse.parameters`    the rule for each value a lesson's ``parameters`` cell may receive
- :mod:`cfcourse.published`     the parameters and test RMSE each training lesson was published with
- :mod:`cfcourse.runs`          the course's own run, and experiments kept apart from it
- :mod:`cfcourse.tensorflow_import` TensorFlow imported without the C++ notices some CPUs print
- :mod:`cfcourse.headless`      running a lesson with papermill on a quiet kernel (runner, tests)
- :mod:`cfcourse.plotting`      small plotting helpers shared by the training lessons
- :mod:`cfcourse.baselines`     the global mean and closed-form biases the benchmark compares with
"""

"""Plumbing for the collaborative-filtering-with-Keras course.

The lessons in ``notebooks/`` hold the models, the training and the analysis.
This package holds only what several lessons, the scripts and the tests share:

- :mod:`cfcourse.paths`         where downloaded data, processed data, models and metrics live
- :mod:`cfcourse.course`        the lessons in running order and the models they train
- :mod:`cfcourse.datasets`      the registry of MovieLens editions the course knows
- :mod:`cfcourse.download`      fetch, verify and unpack an archive (also a command-line tool)
- :mod:`cfcourse.readers`       read each MovieLens file format into the same columns
- :mod:`cfcourse.synthetic`     a small MovieLens-shaped dataset with planted structure, for tests
- :mod:`cfcourse.encoding`      contiguous user and movie indices, and the maps back
- :mod:`cfcourse.split`         the saved train / validation / test split every lesson shares
- :mod:`cfcourse.seeding`       one call that makes a run reproducible
- :mod:`cfcourse.metrics`       RMSE and the per-model metrics files
- :mod:`cfcourse.ranking`       top-k lists and their metrics (precision, recall, NDCG, coverage, popularity)
- :mod:`cfcourse.prerequisites` clear messages when a lesson runs before the one it builds on
- :mod:`cfcourse.parameters`    checks for the values a lesson's ``parameters`` cell may receive
- :mod:`cfcourse.plotting`      small plotting helpers shared by the training lessons
- :mod:`cfcourse.baselines`     the global mean and closed-form biases the benchmark compares with
"""

import os

# TensorFlow's C++ start-up logging (CPU feature notes, graph warnings) goes straight to the
# process's stderr, where a notebook would store it. It must be switched off before
# TensorFlow is imported, so the lessons import this package first.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

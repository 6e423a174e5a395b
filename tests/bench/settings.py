"""`make bench` only: the production settings plus one bare view (tests/bench/urls.py), the API's floor."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "tests.bench.urls"

"""The tests, laid out like the package: tests/analysis/ tests searchkit/analysis/,
and so on. At the top, the tests of the whole product: the library's API, a
user's first hour, years of ingests (test_lifecycle), reliability under
failures and concurrency, property tests over random input, and the shape of
the code. Tests of several layers share tests/helpers.py and tests/corpora.py."""

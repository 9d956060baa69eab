import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))

from slug import slugify  # noqa: E402


class SlugifyTest(unittest.TestCase):
    def test_lowercases_and_joins_words(self):
        self.assertEqual(slugify("Hello World"), "hello-world")

    def test_drops_punctuation(self):
        self.assertEqual(slugify("Rust, Python & Go!"), "rust-python-go")

    def test_collapses_separators(self):
        self.assertEqual(slugify("  many   spaces -- here "), "many-spaces-here")

    def test_transliterates_accents(self):
        self.assertEqual(slugify("Crème Brûlée"), "creme-brulee")

    def test_empty_input(self):
        self.assertEqual(slugify("!!!"), "")


if __name__ == "__main__":
    unittest.main()

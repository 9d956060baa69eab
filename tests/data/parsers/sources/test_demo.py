import unittest


class Demo(unittest.TestCase):
    def test_ok_1(self):
        self.assertEqual(1 + 1, 2)

    def test_ok_2(self):
        self.assertTrue(True)

    def test_ok_3(self):
        self.assertIn("a", "abc")

    def test_fail(self):
        self.assertEqual("slug-it", "slug it")

    def test_error(self):
        raise ValueError("boom")

    @unittest.skip("not yet")
    def test_skipped(self):
        pass

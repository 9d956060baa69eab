import pytest


@pytest.fixture
def broken():
    raise RuntimeError("fixture setup failed")


def test_one():
    assert 1 == 1


def test_two():
    assert "a-b" == "a b"


def test_uses_broken(broken):
    assert broken


@pytest.mark.skip(reason="later")
def test_skip():
    pass


@pytest.mark.xfail
def test_xfail():
    assert False

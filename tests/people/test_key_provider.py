"""people.crypto key handling: keys live in files outside the database, tokens carry their key id."""
import pytest

from yigongti.people import crypto


@pytest.fixture
def key_dir(tmp_path, settings):
    settings.KEY_DIR = tmp_path
    crypto.reset_provider_cache()
    yield tmp_path
    crypto.reset_provider_cache()


def test_ensure_local_keys_creates_them_once(key_dir):
    created = crypto.ensure_local_keys()
    assert sorted(p.name for p in created) == ["audit-1.key", "data-1.key", "index-1.key"]
    assert (key_dir / "data-1.key").stat().st_mode & 0o077 == 0
    assert crypto.ensure_local_keys() == []


def test_a_token_names_its_key_so_an_old_key_still_decrypts_after_a_new_one(key_dir):
    crypto.ensure_local_keys()
    old = crypto.encrypt("13812345678")
    assert old.split(":")[1] == "1"
    (key_dir / "data-2.key").write_text("00112233445566778899aabbccddeeff")
    (key_dir / "data-2.key").chmod(0o600)  # the file provider refuses keys others could read
    (key_dir / "data.current").write_text("2")
    crypto.reset_provider_cache()
    new = crypto.encrypt("13812345678")
    assert new.split(":")[1] == "2"
    assert crypto.decrypt(old) == crypto.decrypt(new) == "13812345678"


def test_missing_keys_are_an_error_unless_tests_allow_creating_them(key_dir, settings):
    settings.KEY_AUTO_CREATE = False
    with pytest.raises(crypto.KeyError_):
        crypto.encrypt("x")
    settings.KEY_AUTO_CREATE = True
    assert crypto.decrypt(crypto.encrypt("x")) == "x"

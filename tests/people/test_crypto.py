"""people.crypto: SM4 against the published vector, SM4-GCM round trip, tamper detection, blind indexes."""
import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from yigongti.people import crypto


def test_sm4_matches_the_published_vector():
    # GB/T 32907-2016 appendix A: key = plaintext = 0123456789abcdeffedcba9876543210.
    key = bytes.fromhex("0123456789abcdeffedcba9876543210")
    encryptor = Cipher(algorithms.SM4(key), modes.ECB()).encryptor()  # noqa: S305 - one block, the published vector
    assert (encryptor.update(key) + encryptor.finalize()).hex() == "681edf34d206965e86b3e94f536e4246"


def test_gcm_round_trip(settings):
    token = crypto.encrypt("36019919480302002X")
    assert token.startswith("sm4gcm:") and "36019919480302002X" not in token
    assert crypto.decrypt(token) == "36019919480302002X"
    assert crypto.encrypt("x") != crypto.encrypt("x")  # a fresh nonce each time


def test_a_tampered_token_is_refused():
    token = crypto.encrypt("13812345678")
    prefix, key_id, payload = token.split(":", 2)
    import base64

    raw = bytearray(base64.b64decode(payload))
    raw[-1] ^= 1
    with pytest.raises(InvalidTag):
        crypto.decrypt(f"{prefix}:{key_id}:{base64.b64encode(bytes(raw)).decode()}")


def test_blind_indexes_are_keyed_normalised_and_separated_by_kind():
    assert crypto.blind_index("document", "11010519491231002x") == crypto.blind_index("document", "11010519491231002X")
    assert crypto.blind_index("phone", "5678") != crypto.blind_index("phone4", "5678")
    assert crypto.blind_index("phone", "") == ""

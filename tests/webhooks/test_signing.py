import hashlib
import hmac

from compliance.webhooks.signing import sign, signature, verify


def test_the_signature_is_hmac_sha256_over_timestamp_dot_body():
    header = signature("s3cret", b'{"a":1}', 1700000000)
    expected = hmac.new(b"s3cret", b'1700000000.{"a":1}', hashlib.sha256).hexdigest()
    assert header == f"t=1700000000,v1={expected}"


def test_verify_accepts_ours_and_refuses_a_changed_body_an_old_one_and_nonsense():
    header = sign("s3cret", b"{}", now=1700000000)
    assert verify("s3cret", b"{}", header, now=1700000100)
    assert not verify("s3cret", b"{ }", header, now=1700000100)
    assert not verify("other", b"{}", header, now=1700000100)
    assert not verify("s3cret", b"{}", header, now=1700000000 + 301)
    assert not verify("s3cret", b"{}", "nonsense", now=1700000000)

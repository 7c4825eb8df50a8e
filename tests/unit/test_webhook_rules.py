import pytest

from policy.webhooks import internal_address, next_delay, signature, url_problems, verify


def test_a_signature_verifies_over_timestamp_and_body_and_fails_on_any_change_or_an_old_timestamp():
    header = signature("s3cret", 1_790_000_000, b'{"id":1}')
    assert header.startswith("v1=") and len(header) == 67
    assert verify("s3cret", 1_790_000_000, b'{"id":1}', header, now=1_790_000_100)
    assert not verify("s3cret", 1_790_000_000, b'{"id":2}', header, now=1_790_000_100)
    assert not verify("other", 1_790_000_000, b'{"id":1}', header, now=1_790_000_100)
    assert not verify("s3cret", 1_790_000_000, b'{"id":1}', header, now=1_790_000_400)  # replayed later


def test_retries_back_off_from_ten_seconds_doubling_to_an_hour_at_most():
    assert [next_delay(n) for n in range(1, 6)] == [10, 20, 40, 80, 160]
    assert next_delay(20) == 3600


@pytest.mark.parametrize("address", ["127.0.0.1", "10.1.2.3", "172.16.0.9", "192.168.1.1", "169.254.169.254",
                                     "::1", "fe80::1", "fd00::1", "0.0.0.0", "::ffff:127.0.0.1", "224.0.0.1",
                                     # the shared address space (a cloud's metadata service), 6to4 and NAT64 of
                                     # loopback or a private address, Teredo, IPv6 multicast
                                     "100.64.0.1", "100.100.100.200", "2002:7f00:1::", "2002:a00:1::1",
                                     "64:ff9b::7f00:1", "64:ff9b::a9fe:a9fe", "2001::1", "ff0e::1"])
def test_internal_addresses_are_recognised(address):
    assert internal_address(address)


def test_public_addresses_are_not_internal_and_only_plain_http_urls_are_targets():
    assert not internal_address("8.8.8.8") and not internal_address("2001:4860:4860::8888")
    assert not internal_address("2002:808:808::") and not internal_address("64:ff9b::808:808")  # 8.8.8.8 inside
    assert url_problems("https://erp.example.com/hooks") == []
    assert url_problems("ftp://erp.example.com/") and url_problems("https://user:pw@erp.example.com/")
    assert url_problems("file:///etc/passwd") and url_problems("not a url")

"""Hypothesis strategies producing valid indicator values."""

from __future__ import annotations

from hypothesis import strategies as st

LETTERS = "abcdefghijklmnopqrstuvwxyz"
label = st.text(alphabet=LETTERS + "0123456789-", min_size=1, max_size=20).filter(
    lambda s: not s.startswith("xn--")
)
tld = st.sampled_from(["com", "org", "fr", "co.uk", "net", "sante.fr", "de", "io"])
domains = st.builds(
    lambda labels, suffix: ".".join([*labels, suffix]),
    st.lists(label, min_size=1, max_size=4),
    tld,
)
mixed_case_domains = st.builds(
    lambda d, upper: "".join(c.upper() if u else c for c, u in zip(d, upper, strict=False)),
    domains,
    st.lists(st.booleans(), min_size=100, max_size=100),  # longer than any of `domains`
)
ipv4s = st.ip_addresses(v=4).map(str)
ipv6s = st.ip_addresses(v=6).map(str)
cidrs = st.one_of(
    st.builds(lambda a, p: f"{a}/{p}", st.ip_addresses(v=4), st.integers(0, 32)),
    st.builds(lambda a, p: f"{a}/{p}", st.ip_addresses(v=6), st.integers(0, 128)),
)
path_chars = st.text(alphabet=LETTERS + "0123456789-_~/%.", max_size=30)
hosts = st.one_of(mixed_case_domains, ipv4s, st.ip_addresses(v=6).map(lambda a: f"[{a}]"))
urls = st.builds(
    lambda scheme, host, port, path, query: (
        f"{scheme}://{host}{port}/{path}{'?' + query if query else ''}"
    ),
    st.sampled_from(["http", "https", "HTTP", "ftp"]),
    hosts,
    st.sampled_from(["", ":80", ":443", ":8080"]),
    path_chars,
    st.text(alphabet=LETTERS + "=&%0123456789", max_size=20),
)
hashes = st.sampled_from([32, 40, 64]).flatmap(
    lambda n: st.text(alphabet="0123456789abcdefABCDEF", min_size=n, max_size=n)
)

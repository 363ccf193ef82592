#!/usr/bin/env bash
# Step 9's TLS check against Debian's testssl.sh (issue #13 item 8) on local https endpoints this script starts
# with `openssl s_server` on loopback ports: a self-signed certificate for 127.0.0.1, an expired one, one for
# another host, and one server that also accepts TLS 1.0 and 1.1 (OpenSSL 3 allows them at @SECLEVEL=0 only).
# For each endpoint it prints both tools' verdicts on: chain untrusted, expired, host mismatch, TLS 1.0/1.1
# accepted; and exits 1 when they differ. testssl.sh takes 30 s to minutes per endpoint on a busy machine.
#   bench/security/testssl.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d)"
command -v testssl >/dev/null || { echo "installing testssl.sh (Debian package)"; apt-get install -y -q testssl.sh >/dev/null; }
python3 -c 'import cryptography' 2>/dev/null || { echo "python3-cryptography is required (apt-get install python3-cryptography)" >&2; exit 3; }
dotnet build "$root/src/Archgate.Cli" -c Release -nologo -v quiet >/dev/null
archgate="$root/src/Archgate.Cli/bin/Release/net10.0/archgate"
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"' EXIT

# name, subject alternative name, days from now the validity starts and ends
python3 - "$work" <<'PY'
import sys, datetime, ipaddress
from cryptography import x509
from cryptography.x509.oid import NameOID
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
now = datetime.datetime.now(datetime.timezone.utc)
for name, host, start, end in [("self-signed", "127.0.0.1", -1, 365), ("expired", "127.0.0.1", -60, -2), ("wrong-host", "shop.example.org", -1, 365), ("tls10", "127.0.0.1", -1, 365)]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    san = x509.IPAddress(ipaddress.ip_address(host)) if host[0].isdigit() else x509.DNSName(host)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now + datetime.timedelta(days=start))
            .not_valid_after(now + datetime.timedelta(days=end)).add_extension(x509.SubjectAlternativeName([san]), critical=False)
            .sign(key, hashes.SHA256()))
    open(f"{sys.argv[1]}/{name}.key", "wb").write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    open(f"{sys.argv[1]}/{name}.crt", "wb").write(cert.public_bytes(serialization.Encoding.PEM))
PY

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# One verdict line per tool: untrusted expired mismatch old-protocol, each yes/no.
archgate_verdict() {
  "$archgate" scan "$1" --out "$work/scan-$2" >/dev/null 2>&1 || true
  python3 - "$work/scan-$2/run.json" <<'PY'
import json, sys
rules = {f["rule"] for s in json.load(open(sys.argv[1]))["steps"] for c in s.get("checks", []) for f in c.get("findings", [])}
print(" ".join("yes" if r in rules else "no" for r in ["AG9094", "AG9091", "AG9093", "AG9095"]))
PY
}
testssl_verdict() {
  timeout 600 testssl --quiet --color 0 --nodns none --warnings off -p -S --jsonfile "$work/testssl-$2.json" "$1" >/dev/null 2>&1 || true
  python3 - "$work/testssl-$2.json" <<'PY'
import json, sys
items = {i["id"]: i for i in json.load(open(sys.argv[1]))}
def bad(id): return id in items and items[id]["severity"] not in ("OK", "INFO")
untrusted = bad("cert_chain_of_trust")
expired = "expired" in items.get("cert_expirationStatus", {}).get("finding", "").lower()
mismatch = bad("cert_trust")
old = any(items.get(p, {}).get("finding", "").startswith("offered") for p in ("TLS1", "TLS1_1"))
print(" ".join("yes" if v else "no" for v in [untrusted, expired, mismatch, old]))
PY
}

status=0
printf '%-12s %-28s %-28s %s\n' endpoint "archgate (untr exp host old)" "testssl  (untr exp host old)" agree
for name in self-signed expired wrong-host tls10; do
  port=$(free_port)
  extra=()
  [ "$name" = tls10 ] && extra=(-cipher 'DEFAULT:@SECLEVEL=0')
  openssl s_server -accept "127.0.0.1:$port" -cert "$work/$name.crt" -key "$work/$name.key" -www -quiet "${extra[@]}" >/dev/null 2>&1 &
  pids+=($!)
  sleep 0.5
  url="https://127.0.0.1:$port"
  started=$(date +%s); a=$(archgate_verdict "$url" "$name"); a_s=$(( $(date +%s) - started ))
  started=$(date +%s); t=$(testssl_verdict "$url" "$name"); t_s=$(( $(date +%s) - started ))
  agree=yes; [ "$a" = "$t" ] || { agree=NO; status=1; }
  printf '%-12s %-28s %-28s %s\n' "$name" "$a (${a_s} s)" "$t (${t_s} s)" "$agree"
done
echo "load average $(cut -d' ' -f1-3 /proc/loadavg), $(openssl version), testssl $(dpkg-query -W -f='${Version}' testssl.sh 2>/dev/null)"
exit $status

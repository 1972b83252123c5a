#!/usr/bin/env python3
"""The seed's deployment, end to end: Debian's nginx with deploy/nginx/stamina.conf in front of
`stamina serve`, on loopback with a self-signed certificate made by openssl.

Checks the legacy and /v1 flows over HTTPS, SSE events arriving through nginx while the job runs,
two client addresses (127.0.0.2, 127.0.0.3) seen as two owners by legacy /myjobs, the upload limit
(a request the server accepts passes, one over the limit gets 413), HTTP redirected to HTTPS, and
the TLS policy (an AEAD suite is accepted, a CBC suite is refused).

Needs STAMINA_NGINX (the nginx binary; scripts/ci/nginx.sh installs it and sets it); without it the
test prints that it was skipped. Usage: test_nginx.py [path/to/stamina]. Prints one line per check
and a summary line; exits non-zero when a check failed.
"""

import http.client
import json
import os
import select
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CORPUS = os.path.join(ROOT, "Tests", "Corpus")

# A quick model for the flows, and one whose run lasts seconds (several refinement rounds) so that
# events can be seen arriving while it runs (about 8 s in a debug build with this window).
QUICK_MODEL = os.path.join(CORPUS, "models", "birth_death_finite.prism")
QUICK_PROPS = os.path.join(CORPUS, "properties", "birth_death_finite.csl")
SLOW_MODEL = os.path.join(CORPUS, "models", "lotka_volterra.prism")
SLOW_PROPS = os.path.join(CORPUS, "properties", "lotka_volterra.csl")

results = []


def check(name, condition, detail=""):
    results.append((name, bool(condition)))
    mark = "ok  " if condition else "FAIL"
    print(f"  {mark} {name}" + (f" ({detail})" if detail and not condition else ""), flush=True)
    return bool(condition)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def read_text(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


class Deployment:
    """nginx and stamina serve in a temporary prefix; stop() ends both and removes the prefix."""

    def __init__(self, nginx, stamina):
        self.prefix = tempfile.mkdtemp(prefix="stamina-nginx-")
        # nginx workers drop to an unprivileged user when started as root: they must reach the prefix.
        os.chmod(self.prefix, 0o755)
        self.nginx_binary = nginx
        self.stamina_binary = stamina
        self.https_port = free_port()
        self.http_port = free_port()
        self.server = None
        self.nginx = None

    def path(self, name):
        return os.path.join(self.prefix, name)

    def make_certificate(self):
        subprocess.run(
            [
                "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                "-nodes", "-days", "2", "-subj", "/CN=localhost",
                "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                "-keyout", self.path("key.pem"), "-out", self.path("cert.pem"),
            ],
            check=True, capture_output=True, timeout=60,
        )

    def start_server(self):
        data = self.path("data")
        self.server = subprocess.Popen(
            [
                self.stamina_binary, "serve", "--listen", "127.0.0.1:0", "--data-dir", data,
                "--trusted-proxies", "127.0.0.1", "--cors-origins", "self", "--set", "rate-limit=0",
                "--set", "workers=2",
            ],
            stdout=subprocess.PIPE, stderr=open(self.path("stamina.log"), "wb"),
        )
        # First stdout line: "stamina serve: listening on http://127.0.0.1:PORT".
        deadline = time.monotonic() + 30
        line = b""
        while not line.endswith(b"\n"):
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([self.server.stdout], [], [], remaining)[0]:
                raise RuntimeError("stamina serve did not print its address in 30 s")
            chunk = os.read(self.server.stdout.fileno(), 1)
            if not chunk:
                raise RuntimeError("stamina serve exited: " + read_text(self.path("stamina.log"))[-2000:])
            line += chunk
        self.upstream = line.decode().strip().rsplit("://", 1)[1]

    def start_nginx(self):
        site = subprocess.run(
            [
                os.path.join(ROOT, "deploy", "render.sh"), "server_name=localhost",
                f"listen_https=127.0.0.1:{self.https_port}", f"listen_http=127.0.0.1:{self.http_port}",
                f"certificate={self.path('cert.pem')}", f"certificate_key={self.path('key.pem')}",
                f"upstream={self.upstream}",
            ],
            check=True, capture_output=True, text=True, timeout=30,
        ).stdout
        with open(self.path("stamina.conf"), "w") as f:
            f.write(site)
        temp_paths = "\n".join(
            f"    {kind}_temp_path {self.path(kind + '_temp')};"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        with open(self.path("nginx.conf"), "w") as f:
            f.write(
                f"daemon off;\nworker_processes 1;\npid {self.path('nginx.pid')};\n"
                f"error_log {self.path('error.log')} warn;\n"
                "events { worker_connections 256; }\n"
                f"http {{\n    access_log {self.path('access.log')};\n{temp_paths}\n"
                f"    include {self.path('stamina.conf')};\n}}\n"
            )
        arguments = [self.nginx_binary, "-p", self.prefix, "-c", self.path("nginx.conf"), "-e", self.path("error.log")]
        test = subprocess.run(arguments + ["-t"], capture_output=True, text=True, timeout=30)
        if test.returncode != 0:
            raise RuntimeError("nginx -t refused the rendered site:\n" + test.stderr)
        self.nginx = subprocess.Popen(arguments, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.nginx.poll() is not None:
                raise RuntimeError("nginx exited: " + read_text(self.path("error.log"))[-2000:])
            try:
                socket.create_connection(("127.0.0.1", self.https_port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("nginx did not listen in 30 s")

    def stop(self):
        for process, polite in ((self.nginx, signal.SIGQUIT), (self.server, signal.SIGTERM)):
            if process is None or process.poll() is not None:
                continue
            process.send_signal(polite)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if os.environ.get("STAMINA_KEEP_NGINX_PREFIX"):
            print(f"  (kept {self.prefix})")
        else:
            shutil.rmtree(self.prefix, ignore_errors=True)

    # MARK: clients

    def tls_context(self):
        return ssl.create_default_context(cafile=self.path("cert.pem"))

    def connection(self, source="127.0.0.1", context=None, timeout=60):
        return http.client.HTTPSConnection(
            "127.0.0.1", self.https_port, context=context or self.tls_context(), timeout=timeout,
            source_address=(source, 0),
        )

    def request(self, method, path, body=None, headers=None, source="127.0.0.1"):
        connection = self.connection(source)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            connection.close()

    def json(self, method, path, body=None, headers=None, source="127.0.0.1"):
        status, _, data = self.request(method, path, body, headers, source)
        try:
            return status, json.loads(data)
        except ValueError:
            return status, data.decode("utf-8", "replace")


def multipart(fields, files):
    boundary = "----stamina-nginx-" + uuid.uuid4().hex
    parts = []
    for name, value in fields:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, filename, content in files:
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        )
        parts.append(head.encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), {"Content-Type": f"multipart/form-data; boundary={boundary}"}


def legacy_submit(deployment, source, model=QUICK_MODEL, props=QUICK_PROPS):
    body, headers = multipart(
        [("create", "1"), ("method", "iterative"), ("kappa", "1"), ("rkappa", "1.25"), ("window", "0.001")],
        [("model_file", "model.prism", open(model, "rb").read()), ("prop_file", "props.csl", open(props, "rb").read())],
    )
    return deployment.json("POST", "/jobs", body, headers, source)


def v1_submit(deployment, model, props, extra=()):
    body, headers = multipart(list(extra), [("model", "model.prism", model), ("properties", "props.csl", props)])
    return deployment.json("POST", "/v1/jobs", body, headers)


def wait_for(what, condition, timeout=180):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise RuntimeError(f"timed out waiting for {what}")


def v1_state(deployment, job, token):
    return deployment.json("GET", f"/v1/jobs/{job}", headers={"Authorization": f"Bearer {token}"})[1].get("state")


TERMINAL = {"SUCCEEDED", "FAILED", "CANCELLED"}

# MARK: checks


def check_legacy_flow(d):
    print("legacy flow over HTTPS")
    status, _, body = d.request("GET", "/egg")
    check("GET /egg answers through nginx", status == 200 and b"Egg" in body, f"{status} {body[:80]!r}")
    status, _, body = d.request("GET", "/stamina/qapla")
    check("GET /stamina/qapla (prefix mount) answers", status == 200 and b"Qapla" in body, f"{status}")
    status, reply = legacy_submit(d, "127.0.0.1")
    job = reply.get("id") if isinstance(reply, dict) else None
    check("POST /jobs creates a job", status == 201 and job and reply.get("status") == "Created", f"{status} {reply}")
    if not job:
        return

    def finished():
        _, mine = d.json("GET", "/myjobs")
        entry = next((j for j in mine if isinstance(j, dict) and j.get("uid") == job), None) if isinstance(mine, list) else None
        return entry if entry and entry.get("status") not in ("created", "running") else None

    try:
        entry = wait_for("the legacy job to finish", finished)
        check("legacy job finishes (seen in /myjobs)", entry.get("status") == "exited", f"{entry.get('status')}")
    except RuntimeError as error:
        check("legacy job finishes (seen in /myjobs)", False, str(error))
    status, _, log = d.request("POST", "/checkjob", job.encode(), {"Content-Type": "text/plain"})
    check("POST /checkjob returns the job's log", status == 200 and b"Finished" in log, f"{status} {log[-200:]!r}")
    # A write from a page of the site itself: the server (cors-origins = self) must recognise its own
    # origin from X-Forwarded-Proto and X-Forwarded-Host, or it refuses the write with 403.
    own_origin = f"https://127.0.0.1:{d.https_port}"
    rename = json.dumps({"id": job, "name": "through nginx"}).encode()
    status, _, body = d.request("POST", "/rename", rename, {"Content-Type": "application/json", "Origin": own_origin})
    check("a legacy write from the site's own origin is allowed", status == 200, f"{status} {body[:200]!r}")
    _, mine = d.json("GET", "/myjobs")
    names = [j.get("name") for j in mine if isinstance(j, dict) and j.get("uid") == job] if isinstance(mine, list) else []
    check("the rename is seen by /myjobs", names == ["through nginx"], f"{names}")
    status, _, _ = d.request("POST", "/rename", rename, {"Content-Type": "application/json", "Origin": "https://elsewhere.example"})
    print(f"    (a write from https://elsewhere.example got {status}: 403 where the server checks Origin)")


def check_v1_flow(d):
    print("/v1 flow over HTTPS")
    status, about = d.json("GET", "/v1/about")
    check("GET /v1/about", status == 200 and isinstance(about, dict), f"{status}")
    status, reply = v1_submit(d, open(QUICK_MODEL, "rb").read(), open(QUICK_PROPS, "rb").read())
    ok = status == 202 and isinstance(reply, dict) and reply.get("id") and reply.get("token")
    check("POST /v1/jobs accepts a submission (202, token)", ok, f"{status} {reply}")
    if not ok:
        return
    job, token = reply["id"], reply["token"]
    state = wait_for("the /v1 job to finish", lambda: (s := v1_state(d, job, token)) in TERMINAL and s)
    check("/v1 job succeeds", state == "SUCCEEDED", state)
    status, result = d.json("GET", f"/v1/jobs/{job}/result", headers={"Authorization": f"Bearer {token}"})
    properties = result.get("properties", []) if isinstance(result, dict) else []
    bounded = bool(properties) and all(
        isinstance(p.get("pmin"), (int, float)) and isinstance(p.get("pmax"), (int, float)) and p["pmin"] <= p["pmax"]
        for p in properties
    )
    check("GET /v1/jobs/{id}/result has per-property bounds", status == 200 and bounded, f"{status} {str(result)[:200]}")


def check_events_stream_while_running(d):
    print("SSE through nginx while the job runs")
    status, reply = v1_submit(
        d, open(SLOW_MODEL, "rb").read(), open(SLOW_PROPS, "rb").read(), [("window", "0.000001")]
    )
    if not check("slow job accepted", status == 202 and isinstance(reply, dict), f"{status} {reply}"):
        return
    job, token = reply["id"], reply["token"]
    connection = d.connection(timeout=120)
    connection.request("GET", f"/v1/jobs/{job}/events", headers={"Authorization": f"Bearer {token}"})
    response = connection.getresponse()
    check(
        "events: 200 text/event-stream",
        response.status == 200 and response.getheader("Content-Type", "").startswith("text/event-stream"),
        f"{response.status} {response.getheader('Content-Type')}",
    )
    seen_while_running = []  # (event type, state the server reported right after it arrived)
    kinds = []
    started = time.monotonic()
    while time.monotonic() - started < 300:
        line = response.readline()
        if not line:
            break
        if line.startswith(b"event:"):
            kind = line[6:].strip().decode()
            kinds.append(kind)
            # Asked on another connection the moment a progress event arrives: a buffering proxy would
            # hold every event until the stream ends, when the job is already terminal.
            if kind in ("log", "round") and len(seen_while_running) < 3:
                seen_while_running.append((kind, v1_state(d, job, token)))
    connection.close()
    print(f"    {len(kinds)} events in {time.monotonic() - started:.1f} s; states at the first progress events: "
          f"{[state for _, state in seen_while_running]}")
    running = [kind for kind, state in seen_while_running if state == "RUNNING"]
    check(
        "progress events arrive while the job is RUNNING",
        bool(running),
        f"events {kinds[:12]}..., states when received {seen_while_running}",
    )
    final = v1_state(d, job, token)
    check("stream ends when the job is terminal", final in TERMINAL and kinds and kinds[-1] == "state", f"{final} {kinds[-3:]}")


def check_two_owners(d):
    print("client addresses through X-Forwarded-For")
    jobs = {}
    for source in ("127.0.0.2", "127.0.0.3"):
        status, reply = legacy_submit(d, source)
        jobs[source] = reply.get("id") if isinstance(reply, dict) else None
        check(f"submit from {source}", status == 201 and jobs[source], f"{status} {reply}")
    for source, other in (("127.0.0.2", "127.0.0.3"), ("127.0.0.3", "127.0.0.2")):
        status, mine = d.json("GET", "/myjobs", source=source)
        ids = {j.get("uid") for j in mine} if isinstance(mine, list) else set()
        check(f"/myjobs from {source} lists its job and not {other}'s", jobs[source] in ids and jobs[other] not in ids, f"{status} {mine}")
    # A client cannot claim another address: nginx appends the real one, the server takes the right-most.
    status, mine = d.json("GET", "/myjobs", headers={"X-Forwarded-For": "127.0.0.3"}, source="127.0.0.2")
    ids = {j.get("uid") for j in mine} if isinstance(mine, list) else set()
    check("a forged X-Forwarded-For does not change the owner", jobs["127.0.0.2"] in ids and jobs["127.0.0.3"] not in ids, f"{mine}")


def check_upload_limit(d):
    print("upload limit")
    # Two files of 1000 KiB each (under the default max-upload of 1 MiB each): the request is about 2 MiB,
    # more than nginx's default 1 MiB, and must reach the server.
    padding = b"// " + b"x" * (1000 * 1024 - 4) + b"\n"
    model = open(QUICK_MODEL, "rb").read() + padding
    props = open(QUICK_PROPS, "rb").read() + padding
    status, reply = v1_submit(d, model, props)
    check("a ~2 MiB submission within the server's limit passes nginx", status == 202, f"{status} {str(reply)[:200]}")
    body, headers = multipart([], [("model", "model.prism", b"x" * (3 * 1024 * 1024)), ("properties", "p.csl", b"x")])
    try:
        status, _, _ = d.request("POST", "/v1/jobs", body, headers)
    except (BrokenPipeError, ConnectionResetError) as error:
        status = f"connection error {error}"
    check("a 3 MiB upload is refused with 413", status == 413, f"{status}")


def check_redirect(d):
    print("HTTP to HTTPS")
    connection = http.client.HTTPConnection("127.0.0.1", d.http_port, timeout=30)
    connection.request("GET", "/v1/about?x=1")
    response = connection.getresponse()
    location = response.getheader("Location", "")
    connection.close()
    check(
        "plain HTTP is redirected (301) to the same path over https",
        response.status == 301 and location.startswith("https://127.0.0.1") and location.endswith("/v1/about?x=1"),
        f"{response.status} {location}",
    )


def check_tls_policy(d):
    print("TLS policy")
    connection = d.connection()
    connection.request("GET", "/egg")
    connection.getresponse().read()
    version = connection.sock.version()
    connection.close()
    check("default client negotiates TLS 1.3", version == "TLSv1.3", version)
    for cipher, accepted in (("ECDHE-ECDSA-AES128-GCM-SHA256", True), ("ECDHE-ECDSA-AES128-SHA", False)):
        context = d.tls_context()
        context.maximum_version = ssl.TLSVersion.TLSv1_2
        context.set_ciphers(cipher + ":@SECLEVEL=0")
        try:
            connection = d.connection(context=context)
            connection.request("GET", "/egg")
            connection.getresponse().read()
            connection.close()
            handshake = True
        except ssl.SSLError:
            handshake = False
        check(f"TLS 1.2 with {cipher} {'accepted' if accepted else 'refused'}", handshake == accepted)


def main():
    nginx = os.environ.get("STAMINA_NGINX")
    if not nginx:
        print("test_nginx: SKIPPED (STAMINA_NGINX is not set; scripts/ci/nginx.sh installs nginx and sets it)")
        return 0
    stamina = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, ".build", "debug", "stamina")
    if shutil.which("openssl") is None:
        print("test_nginx: FAILED (openssl not found)")
        return 1
    d = Deployment(nginx, stamina)
    try:
        d.make_certificate()
        d.start_server()
        d.start_nginx()
        print(f"nginx https 127.0.0.1:{d.https_port}, http 127.0.0.1:{d.http_port} -> stamina {d.upstream}")
        for run in (check_redirect, check_tls_policy, check_legacy_flow, check_v1_flow, check_two_owners,
                    check_upload_limit, check_events_stream_while_running):
            try:
                run(d)
            except Exception as error:  # one broken area must not hide the others
                check(f"{run.__name__} ran", False, f"{type(error).__name__}: {error}")
    except Exception as error:
        check("deployment started", False, f"{type(error).__name__}: {error}")
        for log in ("error.log", "stamina.log"):
            if os.path.exists(d.path(log)):
                print(f"--- {log}\n" + read_text(d.path(log))[-3000:])
    finally:
        d.stop()
    failed = [name for name, ok in results if not ok]
    print(f"test_nginx: {len(results) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

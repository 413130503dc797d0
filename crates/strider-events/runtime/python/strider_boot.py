r"""strider_boot.py: starts a real Python Lambda handler under strider's fuzz harness.

Run as `<venv python> strider_boot.py` with the cwd set to the task root. In order, it:
  1. puts LAMBDA_TASK_ROOT first on sys.path and removes this script's own directory,
  2. installs the egress guard. A connect to anything other than loopback raises
     ConnectionRefusedError, and resolving a name other than localhost raises
     socket.gaierror. Both are logged as `egress`. On loopback, only the ports listed in
     STRIDER_LOOPBACK (the Runtime API, the emulator, the canary listener) and ports that this
     process, a descendant or its process group has bound are reached; another's port is
     refused and logged too (the machine's own services: Lambda has none), one nobody bound is
     refused quietly, as the kernel would. connect, connect_ex, sendto and sendmsg are guarded.
  3. installs an audit hook that logs opens of STRIDER_CANARY_FILE as `open`
     (builtin open, io, os.open, pathlib, and subprocess/os.system/exec command lines),
  4. if STRIDER_COVERAGE is set, starts an edge tracer on the code under the task root.
     On 3.12+ it uses sys.monitoring for the whole process, where code outside the task root
     is switched off after its first event. Before 3.12 it uses sys.settrace, only while the
     handler module loads and while the handler runs. For that it wraps awslambdaric's
     internal bootstrap._get_handler, and falls back to a global settrace if that is missing.
     The edges are the same either way.
  5. hands over to the real runtime client, awslambdaric.__main__.main([.., $_HANDLER]).
     From there awslambdaric's C client speaks the Runtime API.

Environment read here: LAMBDA_TASK_ROOT (defaults to the cwd), _HANDLER (or argv[1]),
STRIDER_LOOPBACK (comma-separated ports; unset: every loopback port), STRIDER_CANARY_LOG, STRIDER_CANARY_FILE, STRIDER_COVERAGE, STRIDER_COVERAGE_SIZE (default
65536). awslambdaric itself reads AWS_LAMBDA_RUNTIME_API and AWS_LAMBDA_*.
Canary log line: `<kind>` TAB `<detail>` LF. In the detail, backslash, tab, LF and CR are
written as the two characters \\, \t, \n and \r. The escaped text is cut to 300 characters
without splitting an escape. The log is opened with O_APPEND for each line and never held open.
Coverage edge: fid = crc32(utf-8 path relative to the task root) or 1;
loc = ((((fid ^ (line * 0x9E3779B1)) & M) * 0x85EBCA6B) & M), then loc ^= loc >> 16 (M = 2**32-1);
index = (loc ^ (prev >> 1)) % size; prev = loc. The byte saturates at 255. prev resets to 0
when an instrumented frame starts or resumes. No salted hash() is used, so the indices are the
same in every process.
Python 3.9+.
"""
import errno
import ipaddress
import operator
import os
import socket
import sys
import zlib

_LOG = os.environ.get("STRIDER_CANARY_LOG") or None


def _record(kind, detail):
    """Append one `kind\\tdetail` line to the canary log. Never raises."""
    if not _LOG:
        return
    try:
        d = str(detail).replace("\\", "\\\\").replace("\t", "\\t")
        d = d.replace("\n", "\\n").replace("\r", "\\r")
        if len(d) > 300:
            d = d[:300]
            if (len(d) - len(d.rstrip("\\"))) % 2:  # do not leave half an escape
                d = d[:-1]
        data = (kind + "\t" + d + "\n").encode("utf-8", "backslashreplace")
        fd = os.open(_LOG, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            os.write(fd, data)
        finally:
            os.close(fd)
    except Exception:
        pass


# ---------------------------------------------------------------- 2. egress guard
_LEGACY_V4 = frozenset("0123456789abcdefABCDEFxX.")


def _literal_ip(host):
    """The address if `host` is an IP literal (incl. inet_aton forms like 127.1, 0x7f000001), else None."""
    if isinstance(host, (bytes, bytearray)):
        host = bytes(host).decode("ascii", "replace")
    if not isinstance(host, str):
        return None
    h = host.strip()
    if h.startswith("[") and h.endswith("]"):
        h = h[1:-1]
    try:
        return ipaddress.ip_address(h.split("%", 1)[0])
    except ValueError:
        pass
    if h and set(h) <= _LEGACY_V4:  # only pure numeric forms: never lets a name through
        try:
            return ipaddress.IPv4Address(socket.inet_aton(h))
        except (OSError, ValueError):
            pass
    return None


def _ip_is_local(ip):
    m = getattr(ip, "ipv4_mapped", None)
    if m is not None:
        ip = m
    return ip.is_loopback or ip.is_unspecified  # 0.0.0.0 / :: connect to this host


def _name_is_local(host):
    if isinstance(host, (bytes, bytearray)):
        host = bytes(host).decode("ascii", "replace")
    return isinstance(host, str) and host.strip().rstrip(".").lower() == "localhost"


def _host_is_local(host):
    if host is None or host == "" or host == b"" or _name_is_local(host):
        return True
    ip = _literal_ip(host)
    return ip is not None and _ip_is_local(ip)


def _hp(host, port):
    if isinstance(host, (bytes, bytearray)):
        host = bytes(host).decode("ascii", "replace")
    host = str(host)
    if port in (None, "", b"", 0):
        return host
    if ":" in host and not host.startswith("["):
        host = "[" + host + "]"
    if isinstance(port, (bytes, bytearray)):
        port = bytes(port).decode("ascii", "replace")
    return "%s:%s" % (host, port)


_OURS = os.environ.get("STRIDER_LOOPBACK")
_OURS = None if _OURS is None else frozenset(int(p) for p in _OURS.split(",") if p.strip().isdigit())


def _loopback_owner(port, datagram):
    """Who has `port` bound on this machine (a TCP socket listening): "us" (this process, one of
    its descendants or of its process group), "nobody", or "other" — also when /proc cannot be
    read (fail closed)."""
    rows, read = [], False
    for table in (("/proc/net/udp", "/proc/net/udp6") if datagram else ("/proc/net/tcp", "/proc/net/tcp6")):
        try:
            with open(table) as f:
                rows.extend(f.readlines()[1:])
            read = True
        except OSError:
            pass
    if not read:
        return "other"
    state = "07" if datagram else "0A"
    inodes = set()
    for row in rows:
        f = row.split()
        try:
            if len(f) > 9 and f[3] == state and int(f[1].rsplit(":", 1)[1], 16) == port:
                inodes.add("socket:[%s]" % f[9])
        except ValueError:
            pass
    if not inodes:
        return "nobody"
    family = {}
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                with open("/proc/%s/stat" % pid) as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                family[int(pid)] = (int(fields[1]), int(fields[2]))
            except (OSError, ValueError, IndexError):
                pass
    me, group = os.getpid(), os.getpgrp()
    for pid, (_, pgrp) in family.items():
        up, steps = pid, 0
        while up > 1 and up != me and steps < 64:
            up, steps = family.get(up, (0, 0))[0], steps + 1
        if up != me and pgrp != group:
            continue
        try:
            fds = os.listdir("/proc/%d/fd" % pid)
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink("/proc/%d/fd/%s" % (pid, fd)) in inodes:
                    return "us"
            except OSError:
                pass
    return "other"


def _verdict(sock, address):
    """None to let a connect or send through; else (`host:port`, logged): refused, and logged
    unless nothing listens on a loopback port (the kernel would refuse it as quietly)."""
    try:
        fam = sock.family
    except Exception:
        fam = None
    if fam not in (socket.AF_INET, socket.AF_INET6):
        return None  # AF_UNIX, netlink, ...: local by construction
    if not isinstance(address, tuple) or not address:
        return None  # let the real call raise its own TypeError
    host = address[0]
    port = address[1] if len(address) > 1 else None
    if not _host_is_local(host):
        return _hp(host, port), True
    if _OURS is None:
        return None
    try:
        port = operator.index(port)
    except TypeError:
        return None  # the real call raises its own error
    if port in _OURS:
        return None
    try:
        datagram = sock.type == socket.SOCK_DGRAM
    except Exception:
        datagram = False
    owner = _loopback_owner(port, datagram)
    if owner == "us":
        return None
    return _hp(host, port), owner == "other"


def _install_egress_guard():
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex
    real_sendto = socket.socket.sendto
    real_sendmsg = socket.socket.sendmsg
    real_getaddrinfo = socket.getaddrinfo
    real_gethostbyname = socket.gethostbyname
    real_gethostbyname_ex = socket.gethostbyname_ex
    real_gethostbyaddr = socket.gethostbyaddr
    real_getnameinfo = socket.getnameinfo

    def refused(detail):
        _record("egress", detail)
        return ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused (strider: egress to %s blocked)" % detail)

    def no_name(detail):
        _record("egress", detail)
        return socket.gaierror(socket.EAI_NONAME, "Name or service not known (strider: resolving %s blocked)" % detail)

    def resolvable(host):
        # IP literals resolve without any network traffic; connect() decides on them.
        return _host_is_local(host) or _literal_ip(host) is not None

    def refuse(verdict):
        detail, logged = verdict
        if logged:
            return refused(detail)
        return ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused")

    def connect(self, address):
        v = _verdict(self, address)
        if v is not None:
            raise refuse(v)
        return real_connect(self, address)

    def connect_ex(self, address):
        v = _verdict(self, address)
        if v is not None:
            if v[1]:
                _record("egress", v[0])
            return errno.ECONNREFUSED
        return real_connect_ex(self, address)

    def sendto(self, data, *rest):
        if rest:
            v = _verdict(self, rest[-1])
            if v is not None:
                if not v[1]:
                    return len(data)  # a datagram to a port nobody bound is lost anyway
                raise refuse(v)
        return real_sendto(self, data, *rest)

    def sendmsg(self, buffers, *rest):
        if len(rest) >= 3 and rest[2] is not None:
            v = _verdict(self, rest[2])
            if v is not None:
                if not v[1]:
                    return sum(len(memoryview(b)) for b in buffers)
                raise refuse(v)
        return real_sendmsg(self, buffers, *rest)

    def getaddrinfo(host, port, *args, **kwargs):
        if not resolvable(host):
            raise no_name(_hp(host, port))
        return real_getaddrinfo(host, port, *args, **kwargs)

    def gethostbyname(hostname):
        if not resolvable(hostname):
            raise no_name(_hp(hostname, None))
        return real_gethostbyname(hostname)

    def gethostbyname_ex(hostname):
        if not resolvable(hostname):
            raise no_name(_hp(hostname, None))
        return real_gethostbyname_ex(hostname)

    def gethostbyaddr(ip_address):  # reverse DNS is a network query unless local
        if not _host_is_local(ip_address):
            _record("egress", _hp(ip_address, None))
            raise socket.herror(1, "Unknown host (strider: reverse lookup blocked)")
        return real_gethostbyaddr(ip_address)

    def getnameinfo(sockaddr, flags):
        if not (flags & socket.NI_NUMERICHOST) and isinstance(sockaddr, tuple) and sockaddr \
                and not _host_is_local(sockaddr[0]):
            raise no_name(_hp(sockaddr[0], sockaddr[1] if len(sockaddr) > 1 else None))
        return real_getnameinfo(sockaddr, flags)

    socket.socket.connect = connect
    socket.socket.connect_ex = connect_ex
    socket.socket.sendto = sendto
    socket.socket.sendmsg = sendmsg
    # socket.create_connection (and so http.client, urllib, urllib3, botocore) looks
    # these up as module globals at call time, so it goes through the guards too.
    socket.getaddrinfo = getaddrinfo
    socket.gethostbyname = gethostbyname
    socket.gethostbyname_ex = gethostbyname_ex
    socket.gethostbyaddr = gethostbyaddr
    socket.getnameinfo = getnameinfo


# ---------------------------------------------------------------- 3. canary audit hook
_SPAWN_EVENTS = frozenset(("subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn"))


def _install_canary_hook():
    canary = os.environ.get("STRIDER_CANARY_FILE")
    if not canary:
        return
    canary_real = os.path.realpath(canary)
    # Anything below the canary's directory counts: a handler that appends a suffix
    # (`<name>.json`) still climbed out of its code. Its name is the cheap filter.
    canary_dir = os.path.dirname(canary_real)
    marker = os.path.basename(canary_dir)
    if not marker:
        return
    bases = (marker,)
    import re
    split_words = re.compile(r"[\s'\"`;|&<>()=,]+").split
    realpath, join, getcwd, fsdecode = os.path.realpath, os.path.join, os.getcwd, os.fsdecode
    inside = canary_dir + os.sep

    def is_canary(s, cwd=None):
        if marker not in s:
            return False
        r = realpath(join(cwd or getcwd(), s))
        return r == canary_real or r.startswith(inside)

    spawned = []  # words the last subprocess.Popen event logged

    def hook(event, args):
        try:
            if event == "open":
                p = args[0]
                if p.__class__ is not str:  # fd numbers, bytes, PathLike
                    if p is None or isinstance(p, int):
                        return
                    p = fsdecode(p)
                if marker in p and is_canary(p):  # `in`: the cheap filter
                    _record("open", p)
            elif event in _SPAWN_EVENTS:
                # The child's own open() is invisible here, so look at the command line.
                # subprocess raises "subprocess.Popen" and then (3.13+ often) "os.posix_spawn"
                # for the same child: words seen in the first are not logged again by the second.
                cwd = None
                popen = event == "subprocess.Popen"
                if popen and len(args) > 2 and args[2]:
                    cwd = fsdecode(args[2])
                seen = spawned.pop() if spawned and not popen else set()
                logged = set()
                strings = []
                for a in args:
                    if isinstance(a, (list, tuple)):
                        strings.extend(a)
                    else:
                        strings.append(a)
                for s in strings:
                    if isinstance(s, (bytes, os.PathLike)):
                        s = fsdecode(s)
                    if isinstance(s, str) and any(b in s for b in bases):
                        for w in split_words(s):
                            if w and w not in seen and w not in logged and is_canary(w, cwd):
                                _record("open", w)
                                logged.add(w)
                if popen:
                    spawned[:] = [logged]
        except Exception:
            pass  # an exception here would break the handler's own call

    sys.addaudithook(hook)


# ---------------------------------------------------------------- 4. coverage
def _install_coverage(task_root, boot_file):
    path = os.environ.get("STRIDER_COVERAGE")
    if not path:
        return
    import mmap
    size = int(os.environ.get("STRIDER_COVERAGE_SIZE") or 65536)
    fd = os.open(path, os.O_RDWR)
    try:
        mm = mmap.mmap(fd, size, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
    finally:
        os.close(fd)

    roots = []
    for r in (task_root, os.path.realpath(task_root)):
        r = r.rstrip(os.sep) + os.sep
        if r not in roots:
            roots.append(r)
    excluded = ("/site-packages/", "/dist-packages/", "/node_modules/", "/.venv/")
    files = {}  # co_filename -> 32-bit file id, 0 = not instrumented

    def file_id(fn):
        fid = 0
        if fn and not fn.startswith("<"):
            a = os.path.abspath(fn)
            if a != boot_file and not any(x in a for x in excluded):
                for r in roots:
                    if a.startswith(r):
                        fid = zlib.crc32(a[len(r):].encode("utf-8", "surrogatepass")) or 1
                        break
        files[fn] = fid
        return fid

    prev = 0

    def hit(fid, line):
        nonlocal prev
        cur = (((fid ^ (line * 0x9E3779B1)) & 0xFFFFFFFF) * 0x85EBCA6B) & 0xFFFFFFFF
        cur ^= cur >> 16
        i = (cur ^ (prev >> 1)) % size
        v = mm[i]
        if v != 255:
            mm[i] = v + 1
        prev = cur

    mon = getattr(sys, "monitoring", None)
    if mon is not None:  # 3.12+: events fire only where wanted; DISABLE silences the rest
        tool = mon.COVERAGE_ID
        if mon.get_tool(tool) is not None:
            tool = next(t for t in range(6) if mon.get_tool(t) is None)
        mon.use_tool_id(tool, "strider")
        DISABLE = mon.DISABLE

        def on_start(code, offset):
            nonlocal prev
            fn = code.co_filename
            fid = files[fn] if fn in files else file_id(fn)
            if not fid:
                return DISABLE
            prev = 0

        def on_line(code, line):
            fn = code.co_filename
            fid = files[fn] if fn in files else file_id(fn)
            if not fid:
                return DISABLE
            hit(fid, line)

        ev = mon.events
        mon.register_callback(tool, ev.PY_START, on_start)
        mon.register_callback(tool, ev.PY_RESUME, on_start)
        mon.register_callback(tool, ev.LINE, on_line)
        mon.set_events(tool, ev.PY_START | ev.PY_RESUME | ev.LINE)
        return

    def tracer(frame, event, arg):  # 'call' (new frame, or generator resumed)
        nonlocal prev
        fn = frame.f_code.co_filename
        fid = files[fn] if fn in files else file_id(fn)
        if not fid:
            return None
        prev = 0

        def local(frame, event, arg):
            nonlocal prev
            if event == "line":  # inlined hit() to save a call per line
                cur = (((fid ^ (frame.f_lineno * 0x9E3779B1)) & 0xFFFFFFFF) * 0x85EBCA6B) & 0xFFFFFFFF
                cur ^= cur >> 16
                i = (cur ^ (prev >> 1)) % size
                v = mm[i]
                if v != 255:
                    mm[i] = v + 1
                prev = cur
            return local
        return local

    _trace_handler_only(tracer)


# Compiled under a name containing "/bootstrap.py". awslambdaric drops frames of files with
# that name from the top of the stackTrace it reports, so the trace still starts at the
# handler's own frame.
_WRAP_SRC = """
def make(get, tracer, settrace):
    def get_handler(name):
        settrace(tracer)  # the module-level code of the handler's files counts too
        try:
            fn = get(name)
        finally:
            settrace(None)

        def traced(event, context):
            settrace(tracer)
            try:
                return fn(event, context)
            finally:
                settrace(None)
        return traced
    return get_handler
"""


def _trace_handler_only(tracer):
    """Trace only while the handler loads and runs. A global sys.settrace would make every
    frame of awslambdaric's loop (marshalling, context, logging) pay for the tracer as well."""
    import threading
    threading.settrace(tracer)  # threads the handler starts
    try:
        from awslambdaric import bootstrap
        get = bootstrap._get_handler
    except (ImportError, AttributeError):  # an awslambdaric without this internal: trace everything
        sys.settrace(tracer)
        return
    ns = {}
    exec(compile(_WRAP_SRC, "<strider>/bootstrap.py", "exec"), ns)
    bootstrap._get_handler = ns["make"](get, tracer, sys.settrace)


# ---------------------------------------------------------------- 5. hand over
def _watch_lifeline():
    """Exits when stdin ends: the harness holds its other end, so however the harness ends
    (libFuzzer's exit, a kill), this process does not outlive it."""
    import threading

    def watch():
        # The raw descriptor, not sys.stdin: a buffered reader's lock held by this thread would
        # abort the interpreter when the handler exits on its own (sys.exit).
        try:
            while os.read(0, 65536):
                pass
        except Exception:
            pass
        os._exit(0)

    threading.Thread(target=watch, name="strider-lifeline", daemon=True).start()


def main():
    _watch_lifeline()
    task_root = os.path.abspath(os.environ.get("LAMBDA_TASK_ROOT") or os.getcwd())
    handler = os.environ.get("_HANDLER") or (sys.argv[1] if len(sys.argv) > 1 else "")
    boot_file = os.path.abspath(__file__)
    here = os.path.dirname(boot_file)
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != here or here == task_root]
    sys.path.insert(0, task_root)

    _install_egress_guard()
    _install_canary_hook()
    from awslambdaric.__main__ import main as ric_main  # imported before tracing: not user code
    _install_coverage(task_root, boot_file)
    sys.argv = ["awslambdaric", handler]
    ric_main(sys.argv)  # never returns normally; init failures end in sys.exit(1)


if __name__ == "__main__":
    main()

'use strict';
/*
 * strider_bootstrap.cjs: strider's own Node.js Lambda runtime interface client, for the fuzz
 * harness. It speaks the Lambda Runtime API the way the official aws-lambda-ric does, without
 * the native curl add-on, which cannot be built on the target machine.
 *
 * Run as `node [--max-old-space-size=MB] strider_bootstrap.cjs` with the cwd set to the task root.
 * Environment read here: AWS_LAMBDA_RUNTIME_API (host:port), _HANDLER (`dir/file.fn`, and
 * `file.a.b` for nested exports), LAMBDA_TASK_ROOT (defaults to the cwd),
 * AWS_LAMBDA_FUNCTION_NAME, AWS_LAMBDA_FUNCTION_VERSION, AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
 * AWS_LAMBDA_LOG_GROUP_NAME, AWS_LAMBDA_LOG_STREAM_NAME, STRIDER_LOOPBACK (comma-separated
 * ports; unset: every loopback port), STRIDER_CANARY_LOG, STRIDER_CANARY_FILE.
 *
 * Before any user code loads, two guards go in:
 *  - egress: net/tls sockets (and so http, https, undici fetch, http2), dgram, dns.lookup,
 *    dns.resolve* and dns.reverse. Loopback (127/8, ::1, localhost, 0.0.0.0) passes on the ports
 *    of STRIDER_LOOPBACK (the Runtime API, the emulator, the canary listener) and on ports this
 *    process or a descendant has bound; other loopback ports are the machine's own services,
 *    which Lambda does not have. Anything else is logged as `egress host:port` (or
 *    `egress name`) and fails with ECONNREFUSED (an IP) or ENOTFOUND (a name).
 *  - canary: fs open/read/copy/write calls (callback, sync and promise forms) and
 *    child_process command lines that name STRIDER_CANARY_FILE (resolved against the cwd and
 *    compared by realpath) are logged as `open <path as given>`.
 * Log line: `<kind>` TAB `<detail>` LF. In the detail, backslash, tab, LF and CR are written as
 * the two characters \\, \t, \n and \r. The escaped text is cut to 300 characters without
 * splitting an escape. The log is opened with O_APPEND for each line.
 *
 * Runtime API use: GET /2018-06-01/runtime/invocation/next. Then POST .../invocation/{id}/response
 * (JSON.stringify of the result, undefined -> null) or .../invocation/{id}/error
 * ({errorType, errorMessage, trace} plus the header Lambda-Runtime-Function-Error-Type), and
 * POST .../init/error when the handler cannot be loaded. Requests go through one keep-alive
 * agent (maxSockets 1), always with a Content-Length and never chunked. Fatal reports use a
 * connection of their own, because a GET next may hold the agent.
 * Handler semantics as in Lambda: an async function or a returned promise answers with its
 * value. callback(err, result) answers once the event loop is empty, or at once when
 * context.callbackWaitsForEmptyEventLoop = false. context.succeed/fail/done answer at once.
 * A non-async handler that returns without calling back answers null when the loop empties;
 * an async one whose promise never settles fails with Runtime.NodeJsExit.
 * awslambda.streamifyResponse handlers are buffered and answered as one body.
 * Exit codes: 1 = the handler could not be loaded, or the Runtime API failed. 129 = uncaught
 * exception, 128 = unhandled rejection. Those two are first posted to /init/error before the
 * first invocation, or as the latest invocation's /error otherwise. That can come after its
 * /response when work the handler left behind fails later.
 * This script writes nothing to stdout; its diagnostics go to stderr.
 * Node 16+.
 */

const fs = require('fs');
const path = require('path');
const net = require('net');
const dns = require('dns');
const dgram = require('dgram');
const http = require('http');
const util = require('util');
const url = require('url');
const childProcess = require('child_process');
const Module = require('module');
const { Writable } = require('stream');

// Originals, taken before anything is patched or user code runs.
const openSync = fs.openSync;
const writeSync = fs.writeSync;
const closeSync = fs.closeSync;
const existsSync = fs.existsSync;
const readFileSync = fs.readFileSync;
const realpathSync = fs.realpathSync;
const httpRequest = http.request;

const LOG = process.env.STRIDER_CANARY_LOG || '';

/** Appends `kind\tdetail\n` to the canary log. Never throws. */
function record(kind, detail) {
  if (!LOG) return;
  try {
    let d = String(detail)
      .replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
    if (d.length > 300) {
      d = d.slice(0, 300);
      const tail = /\\+$/.exec(d);
      if (tail && tail[0].length % 2) d = d.slice(0, -1); // do not leave half an escape
    }
    const fd = openSync(LOG, 'a');
    try {
      writeSync(fd, `${kind}\t${d}\n`);
    } finally {
      closeSync(fd);
    }
  } catch (_) {
    /* never disturb the handler */
  }
}

function diag(...args) {
  try {
    process.stderr.write(`strider-bootstrap: ${util.format(...args)}\n`);
  } catch (_) {
    /* ignore */
  }
}

// ------------------------------------------------------------------ egress guard
const local = new net.BlockList();
local.addSubnet('127.0.0.0', 8, 'ipv4');
local.addAddress('0.0.0.0', 'ipv4');
local.addAddress('::1', 'ipv6');
local.addAddress('::', 'ipv6');
local.addSubnet('::ffff:127.0.0.0', 104, 'ipv6');
local.addAddress('::ffff:0.0.0.0', 'ipv6');

/** inet_aton forms (127.1, 0x7f000001, 017700000001): the 32-bit value, or null. */
function legacyV4(h) {
  if (!/^[0-9a-fx.]+$/i.test(h)) return null;
  const parts = h.split('.');
  if (parts.length > 4) return null;
  const nums = parts.map((p) =>
    /^0x[0-9a-f]*$/i.test(p) ? parseInt(p.slice(2) || '0', 16)
      : /^0[0-7]*$/.test(p) ? parseInt(p, 8)
        : /^[1-9][0-9]*$/.test(p) ? parseInt(p, 10) : NaN);
  let value = 0;
  for (let i = 0; i < nums.length; i++) {
    const room = i === nums.length - 1 ? 2 ** (8 * (4 - i)) : 256;
    if (!(nums[i] >= 0 && nums[i] < room)) return null;
    value = i === nums.length - 1 ? value * room + nums[i] : value * 256 + nums[i];
  }
  return value;
}

function bareHost(host) {
  let h = String(host).trim().toLowerCase();
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
  return h;
}

/** An IP literal (any form): its family (4, 6), else 0. */
function literalFamily(host) {
  const h = bareHost(host).split('%')[0];
  const f = net.isIP(h);
  return f || (legacyV4(h) !== null ? 4 : 0);
}

/** Host names Node treats as this machine: empty (Node's default), localhost, loopback and unspecified IPs. */
function isLocal(host) {
  if (host === undefined || host === null || host === '') return true;
  const h = bareHost(host).split('%')[0];
  if (h === 'localhost' || h === 'localhost.') return true;
  const f = net.isIP(h);
  if (f) return local.check(h, f === 4 ? 'ipv4' : 'ipv6');
  const v = legacyV4(h);
  return v !== null && (v >>> 24 === 127 || v === 0);
}

const ours = process.env.STRIDER_LOOPBACK === undefined ? null
  : new Set(process.env.STRIDER_LOOPBACK.split(',').filter((p) => /^\s*\d+\s*$/.test(p)).map(Number));

/** Parent pid and process group of a process, from /proc/<pid>/stat; null when gone. */
function family(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
    const fields = stat.slice(stat.lastIndexOf(')') + 1).trim().split(/\s+/);
    return [Number(fields[1]), Number(fields[2])];
  } catch {
    return null;
  }
}

/**
 * Who has `port` bound on this machine (a TCP socket listening): 'us' (this process, one of its
 * descendants or of its process group), 'nobody', or 'other' (also when /proc cannot be read:
 * fail closed).
 */
function loopbackOwner(port, datagram) {
  const tables = datagram ? ['/proc/net/udp', '/proc/net/udp6'] : ['/proc/net/tcp', '/proc/net/tcp6'];
  const state = datagram ? '07' : '0A';
  const inodes = new Set();
  let read = false;
  for (const table of tables) {
    let text;
    try { text = fs.readFileSync(table, 'latin1'); } catch { continue; }
    read = true;
    for (const row of text.split('\n').slice(1)) {
      const f = row.trim().split(/\s+/);
      if (f.length > 9 && f[3] === state && parseInt(f[1].split(':').pop(), 16) === port) inodes.add(`socket:[${f[9]}]`);
    }
  }
  if (!read) return 'other';
  if (inodes.size === 0) return 'nobody';
  const self = family(process.pid);
  const group = self ? self[1] : process.pid;
  const known = new Map();
  let pids;
  try { pids = fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p)).map(Number); } catch { return 'other'; }
  for (const pid of pids) {
    const f = family(pid);
    if (f) known.set(pid, f);
  }
  for (const [pid, [, pgrp]] of known) {
    let up = pid;
    for (let steps = 0; up > 1 && up !== process.pid && steps < 64; steps++) up = (known.get(up) || [0])[0];
    if (up !== process.pid && pgrp !== group) continue;
    let fds;
    try { fds = fs.readdirSync(`/proc/${pid}/fd`); } catch { continue; }
    for (const fd of fds) {
      try { if (inodes.has(fs.readlinkSync(`/proc/${pid}/fd/${fd}`))) return 'us'; } catch { /* closed */ }
    }
  }
  return 'other';
}

/**
 * The verdict on reaching `host`:`port`: null to let it through, else whether to log it: a
 * host beyond the machine or another's loopback port is logged; a loopback port nobody bound is
 * refused quietly, as the kernel would refuse it.
 */
function verdict(host, port, datagram) {
  if (!isLocal(host)) return { logged: true };
  if (ours === null) return null;
  const n = Number(port);
  if (!Number.isInteger(n)) return null; // the real call fails on its own
  if (ours.has(n)) return null;
  const owner = loopbackOwner(n, datagram);
  return owner === 'us' ? null : { logged: owner === 'other' };
}

/** A refused connection that nothing logs. */
function quietRefusal(host, port) {
  const d = hostPort(host, port);
  const err = new Error(`connect ECONNREFUSED ${d}`);
  Object.assign(err, { errno: -111, code: 'ECONNREFUSED', syscall: 'connect', address: String(host), port });
  return err;
}

function hostPort(host, port) {
  let h = String(host);
  if (h.includes(':') && !h.startsWith('[')) h = `[${h}]`;
  return port === undefined || port === null || port === '' ? h : `${h}:${port}`;
}

/** An error shaped like the one Node would give for a refused connection or an unknown name. */
function egressError(host, port) {
  const d = hostPort(host, port);
  record('egress', d);
  let err;
  if (literalFamily(host)) {
    err = new Error(`connect ECONNREFUSED ${d} (strider: egress blocked)`);
    Object.assign(err, { errno: -111, code: 'ECONNREFUSED', syscall: 'connect', address: String(host), port });
  } else {
    err = new Error(`getaddrinfo ENOTFOUND ${host} (strider: egress blocked)`);
    Object.assign(err, { errno: -3008, code: 'ENOTFOUND', syscall: 'getaddrinfo', hostname: String(host) });
  }
  return err;
}

function installEgressGuard() {
  // Every TCP client goes through here: net.connect/createConnection, tls.connect (TLSSocket
  // inherits connect), http/https agents and the undici that backs global fetch.
  const realConnect = net.Socket.prototype.connect;
  net.Socket.prototype.connect = function connect(...args) {
    let opts = args[0];
    if (Array.isArray(opts)) opts = opts[0]; // net.connect passes its already-normalised [options, cb]
    let host;
    let port;
    if (opts !== null && typeof opts === 'object') {
      if (opts.path) return realConnect.apply(this, args); // unix socket: local
      host = opts.host;
      port = opts.port;
    } else if (typeof opts === 'string' && !(Number(opts) >= 0)) {
      return realConnect.apply(this, args); // connect(path): what Node takes for a pipe name
    } else {
      port = opts;
      host = typeof args[1] === 'string' ? args[1] : undefined;
    }
    const v = verdict(host, port, false);
    if (v === null) return realConnect.apply(this, args);
    const shown = Number.isInteger(Number(port)) ? Number(port) : port; // '0x50' is port 80
    const err = v.logged ? egressError(host, shown) : quietRefusal(host, shown);
    process.nextTick(() => this.destroy(err));
    return this;
  };

  const realLookup = dns.lookup;
  dns.lookup = function lookup(hostname, options, callback) {
    const cb = typeof options === 'function' ? options : callback;
    if (isLocal(hostname) || literalFamily(hostname) || typeof cb !== 'function') {
      return realLookup.apply(this, arguments);
    }
    const err = egressError(hostname);
    process.nextTick(cb, err);
    return {};
  };
  const realPLookup = dns.promises.lookup;
  dns.promises.lookup = function lookup(hostname, ...rest) {
    if (isLocal(hostname) || literalFamily(hostname)) return realPLookup.call(this, hostname, ...rest);
    return Promise.reject(egressError(hostname));
  };

  // resolve*/reverse send DNS queries whatever the name: all of them are egress.
  const query = (name, promised) => function blockedQuery(hostname, ...rest) {
    const err = egressError(hostname);
    err.syscall = name;
    if (promised) return Promise.reject(err);
    const cb = rest[rest.length - 1];
    if (typeof cb === 'function') process.nextTick(cb, err);
    return {};
  };
  const queryNames = Object.keys(dns).filter((k) => /^(resolve|reverse)/.test(k));
  for (const k of queryNames) {
    dns[k] = query(k, false);
    if (dns.Resolver.prototype[k]) dns.Resolver.prototype[k] = query(k, false);
    if (dns.promises[k]) dns.promises[k] = query(k, true);
    if (dns.promises.Resolver && dns.promises.Resolver.prototype[k]) dns.promises.Resolver.prototype[k] = query(k, true);
  }
  const realLookupService = dns.lookupService;
  dns.lookupService = function lookupService(address, port, cb) {
    if (isLocal(address)) return realLookupService.apply(this, arguments);
    const err = egressError(address, port);
    if (typeof cb === 'function') process.nextTick(cb, err);
    return {};
  };
  const realPLookupService = dns.promises.lookupService;
  dns.promises.lookupService = function lookupService(address, port) {
    if (isLocal(address)) return realPLookupService.apply(this, arguments);
    return Promise.reject(egressError(address, port));
  };

  // UDP: send(msg[, offset, length][, port][, address][, cb]) and connect(port[, address][, cb]).
  // Without an address, Node sends to localhost; without a port, to the address connect() set.
  const udpGuard = (real, firstArg) => function guarded(...args) {
    let address;
    let port;
    for (let i = firstArg; i < args.length; i++) {
      if (typeof args[i] === 'string') {
        address = args[i];
        port = args[i - 1];
      }
    }
    if (address === undefined) {
      const numbers = args.slice(firstArg).filter((a) => typeof a === 'number');
      if (numbers.length === 0 || (firstArg === 1 && numbers.length === 2)) return real.apply(this, args);
      address = 'localhost';
      port = numbers[numbers.length - 1];
    }
    const v = verdict(address, port, true);
    if (v === null) return real.apply(this, args);
    const cb = args[args.length - 1];
    if (!v.logged) { // a datagram to a port nobody bound is lost anyway
      if (typeof cb === 'function') process.nextTick(cb, null, 0);
      return undefined;
    }
    const err = egressError(address, typeof port === 'number' ? port : undefined);
    if (typeof cb === 'function') process.nextTick(cb, err);
    else process.nextTick(() => this.emit('error', err));
    return undefined;
  };
  dgram.Socket.prototype.send = udpGuard(dgram.Socket.prototype.send, 1);
  dgram.Socket.prototype.connect = udpGuard(dgram.Socket.prototype.connect, 0);
}

// ------------------------------------------------------------------ canary guard
const CANARY = process.env.STRIDER_CANARY_FILE || '';
let canaryReal = '';
let canaryDir = '';
let canaryMarker = '';

/** Logs `open` when `p` (string, Buffer or file: URL) names the canary file. Never throws. */
function checkCanary(p, cwd) {
  try {
    let s;
    let shown;
    if (typeof p === 'string') s = shown = p;
    else if (p instanceof Uint8Array) s = shown = Buffer.from(p).toString();
    else if (p instanceof URL && p.protocol === 'file:') {
      s = url.fileURLToPath(p);
      shown = p.href;
    } else return;
    if (!canaryMarker || !s.includes(canaryMarker)) return; // the cheap test first
    // Anything below the canary's directory counts, existing or not: a handler that appends a
    // suffix (`<name>.json`) still climbed out of its code.
    const abs = path.resolve(cwd || process.cwd(), s);
    let real = abs;
    try {
      real = realpathSync(abs);
    } catch (_) {
      real = abs;
    }
    if (real === canaryReal || real.startsWith(canaryDir + path.sep)) record('open', shown);
  } catch (_) {
    /* ignore */
  }
}

function wrapFirstArg(obj, name, argIndexes) {
  const real = obj[name];
  if (typeof real !== 'function') return;
  const wrapped = function (...args) {
    for (const i of argIndexes) checkCanary(args[i]);
    return real.apply(this, args);
  };
  Object.defineProperties(wrapped, Object.getOwnPropertyDescriptors(real)); // keeps promisify.custom etc.
  obj[name] = wrapped;
}

function installCanaryGuard() {
  if (!CANARY) return;
  try {
    canaryReal = realpathSync(CANARY);
  } catch (_) {
    canaryReal = path.resolve(CANARY);
  }
  canaryDir = path.dirname(canaryReal);
  canaryMarker = path.basename(canaryDir);
  const first = [0];
  // createReadStream/createWriteStream are not wrapped: their streams open through fs.open.
  for (const n of ['open', 'openSync', 'readFile', 'readFileSync', 'openAsBlob', 'writeFile',
    'writeFileSync', 'appendFile', 'appendFileSync', 'truncate', 'truncateSync']) wrapFirstArg(fs, n, first);
  for (const n of ['copyFile', 'copyFileSync', 'cp', 'cpSync', 'link', 'linkSync', 'symlink', 'symlinkSync']) {
    wrapFirstArg(fs, n, first);
  }
  for (const n of ['open', 'readFile', 'writeFile', 'appendFile', 'truncate', 'copyFile', 'cp', 'link', 'symlink']) {
    wrapFirstArg(fs.promises, n, first);
  }

  // A child process's own open() is invisible here, so look at the command line.
  const words = /[\s'"`;|&<>()=,]+/;
  const scan = (args) => {
    const strings = [];
    let cwd;
    for (const a of args) {
      if (typeof a === 'string') strings.push(a);
      else if (Array.isArray(a)) strings.push(...a.filter((x) => typeof x === 'string'));
      else if (a && typeof a === 'object' && typeof a.cwd === 'string') cwd = a.cwd;
    }
    for (const s of strings) {
      if (!canaryMarker || !s.includes(canaryMarker)) continue;
      for (const w of s.split(words)) if (w) checkCanary(w, cwd);
    }
  };
  for (const n of ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork']) {
    const real = childProcess[n];
    if (typeof real !== 'function') continue;
    const wrapped = function (...args) {
      scan(args);
      return real.apply(this, args);
    };
    Object.defineProperties(wrapped, Object.getOwnPropertyDescriptors(real));
    childProcess[n] = wrapped;
  }
}

// ------------------------------------------------------------------ Runtime API client
const API = process.env.AWS_LAMBDA_RUNTIME_API || '127.0.0.1:9001';
const API_HOST = API.slice(0, API.lastIndexOf(':')).replace(/^\[|\]$/g, '');
const API_PORT = Number(API.slice(API.lastIndexOf(':') + 1));
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

/**
 * One request to the Runtime API: {status, headers, body}. `fresh` uses a connection of its own,
 * for reports that must not queue behind a pending GET next on the shared agent.
 */
function api(method, apiPath, body, headers, fresh) {
  return new Promise((resolve, reject) => {
    const h = Object.assign({}, headers);
    if (body !== undefined) {
      if (!h['Content-Type']) h['Content-Type'] = 'application/json';
      h['Content-Length'] = Buffer.byteLength(body);
    }
    const req = httpRequest(
      { host: API_HOST, port: API_PORT, path: `/2018-06-01/runtime${apiPath}`, method, headers: h, agent: fresh ? false : agent },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** {errorType, errorMessage, trace} for anything a handler throws or passes to its callback. */
function errorJson(e) {
  try {
    const errorLike = e && typeof e.name === 'string' && typeof e.message === 'string' && typeof e.stack === 'string';
    if (util.types.isNativeError(e) || errorLike) {
      return { errorType: e.name, errorMessage: e.message, trace: String(e.stack).split('\n') };
    }
    return { errorType: typeof e, errorMessage: String(e), trace: [] };
  } catch (_) {
    return { errorType: 'handled', errorMessage: 'the error could not be read (its name, message or stack threw)', trace: [] };
  }
}

/** A header value Node will send: printable ASCII only, bounded. */
function headerValue(s) {
  return String(s).replace(/[^\x20-\x7e]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`).slice(0, 1024);
}

function postError(apiPath, err, fresh) {
  const body = errorJson(err);
  const type = { 'Lambda-Runtime-Function-Error-Type': headerValue(body.errorType) };
  return api('POST', apiPath, JSON.stringify(body), type, fresh);
}

function runtimeError(type, message, cause) {
  const e = new Error(message);
  e.name = type;
  if (cause && typeof cause.stack === 'string') e.stack = cause.stack; // the user's frames, not ours
  return e;
}

// ------------------------------------------------------------------ handler loading
/** Does the nearest package.json above `dir` say "type": "module"? (stops at node_modules) */
function typeModule(dir) {
  for (let d = dir; ; d = path.dirname(d)) {
    if (d.endsWith('/node_modules')) return false;
    const pj = path.join(d, 'package.json');
    if (existsSync(pj)) {
      try {
        return JSON.parse(readFileSync(pj, 'utf8')).type === 'module';
      } catch (_) {
        return false;
      }
    }
    if (d === path.dirname(d)) return false;
  }
}

async function importFile(file) {
  return import(url.pathToFileURL(file).href);
}

/** Loads the module of `dir/file`: as Lambda does, extensionless, .js (CJS or ESM by package.json), .mjs, .cjs, then node resolution. */
async function loadModule(appRoot, moduleRoot, name) {
  const base = path.resolve(appRoot, moduleRoot, name);
  if (existsSync(base)) return require(base);
  const esm = existsSync(`${base}.js`) && typeModule(path.dirname(base));
  if (existsSync(`${base}.js`)) return esm ? importFile(`${base}.js`) : require(`${base}.js`);
  if (existsSync(`${base}.mjs`)) return importFile(`${base}.mjs`);
  if (existsSync(`${base}.cjs`)) return require(`${base}.cjs`);
  return require(require.resolve(name, { paths: [appRoot, path.resolve(appRoot, moduleRoot)] }));
}

async function loadHandler(appRoot, full) {
  if (full.includes('..')) {
    throw runtimeError('Runtime.MalformedHandlerName', `'${full}' is not a valid handler name: it may not contain '..'`);
  }
  const file = path.basename(full);
  const moduleRoot = full.slice(0, full.length - file.length);
  const m = /^([^.]*)\.(.*)$/.exec(file);
  if (!m) throw runtimeError('Runtime.MalformedHandlerName', `Bad handler '${full}'`);
  let mod;
  try {
    mod = await loadModule(appRoot, moduleRoot, m[1]);
  } catch (e) {
    if (e instanceof SyntaxError) throw runtimeError('Runtime.UserCodeSyntaxError', String(e), e);
    if (e && (e.code === 'MODULE_NOT_FOUND' || e.code === 'ERR_MODULE_NOT_FOUND')) {
      throw runtimeError('Runtime.ImportModuleError', String(e), e);
    }
    throw e;
  }
  const fn = m[2].split('.').reduce((o, k) => (o === null || o === undefined ? o : o[k]), mod);
  if (!fn) throw runtimeError('Runtime.HandlerNotFound', `${full} is undefined or not exported`);
  if (typeof fn !== 'function') throw runtimeError('Runtime.HandlerNotFound', `${full} is not a function`);
  return fn;
}

// awslambda.streamifyResponse: the stream is buffered and posted as one response body.
const STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');
class ResponseStream extends Writable {
  constructor() {
    super();
    this.chunks = [];
    this.contentType = 'application/octet-stream';
  }

  _write(chunk, encoding, cb) {
    this.chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk, encoding));
    cb();
  }

  setContentType(t) {
    this.contentType = t;
  }
}
globalThis.awslambda = {
  streamifyResponse: (handler) => {
    handler[STREAMING] = true;
    return handler;
  },
  HttpResponseStream: {
    from(stream, prelude) {
      stream.setContentType('application/vnd.awslambda.http-integration-response');
      stream.write(JSON.stringify(prelude || {}));
      stream.write(Buffer.alloc(8)); // eight NUL bytes end the prelude
      return stream;
    },
  },
};

// ------------------------------------------------------------------ the loop
let handler = null;
let streaming = false;
let isAsync = false;
let last = null; // the latest invocation {id, reported, called}, answered or not
let posting = Promise.resolve(); // the last result POST, awaited before exiting
let onEmptyLoop = null; // what 'beforeExit' does: complete a callback or unfinished invocation

function parseHeaderJson(v, name) {
  if (v === undefined || v === '') return undefined;
  try {
    return JSON.parse(v);
  } catch (e) {
    throw new Error(`Cannot parse ${name} as JSON: ${e}`);
  }
}

async function fatal(err, code) {
  // Report, then leave as Lambda's runtime does. Before the first invocation the error is an
  // init error. During one it is that invocation's error. After one was answered (work the
  // handler left behind failed) it is still posted as that invocation's error, so it arrives
  // after its /response, and the server may refuse it.
  const what = code === 128 ? 'unhandled rejection' : 'uncaught exception';
  try {
    if (last === null) {
      diag(`${what} during init:`, err);
      await postError('/init/error', err, true);
    } else {
      const inv = last;
      const late = inv.reported;
      inv.reported = true;
      diag(`${what} ${late ? 'after' : 'in'} invocation ${inv.id}:`, err);
      if (late) await posting.catch(() => {});
      await postError(`/invocation/${encodeURIComponent(inv.id)}/error`, err, true);
    }
  } catch (e) {
    diag('cannot report to the Runtime API:', e.message);
  }
  process.exit(code);
}

function report(inv, err, result) {
  if (inv.reported) return;
  inv.reported = true;
  onEmptyLoop = null;
  const id = encodeURIComponent(inv.id);
  let p;
  if (err !== undefined && err !== null) {
    p = postError(`/invocation/${id}/error`, err);
  } else if (result instanceof ResponseStream) {
    p = api('POST', `/invocation/${id}/response`, Buffer.concat(result.chunks), { 'Content-Type': result.contentType });
  } else {
    let body;
    try {
      body = JSON.stringify(result === undefined ? null : result);
    } catch (e) {
      p = postError(`/invocation/${id}/error`, runtimeError('Runtime.MarshalError', `Unable to serialise the response as JSON: ${e.message}`));
    }
    if (!p) p = api('POST', `/invocation/${id}/response`, body === undefined ? 'null' : body);
  }
  posting = p.then((res) => {
    if (res.status >= 300) diag(`POST for ${inv.id}: HTTP ${res.status} ${res.body.toString().slice(0, 200)}`);
    setImmediate(nextInvocation);
  }, (e) => {
    diag('Runtime API:', e.message);
    process.exit(1);
  });
}

function invoke(inv, headers, body) {
  let waitForEmptyLoop = true;
  // The first of callback/succeed/fail/done (or the promise) wins, as in Lambda.
  const complete = (err, result) => report(inv, err, result);
  const callback = (err, result) => {
    if (inv.reported || inv.called) return;
    inv.called = true;
    if ((err !== undefined && err !== null) || !waitForEmptyLoop) complete(err, result);
    else onEmptyLoop = () => setImmediate(() => complete(null, result));
  };
  const once = (f) => (...a) => {
    if (!inv.called) {
      inv.called = true;
      f(...a);
    }
  };
  const deadline = Number(headers['lambda-runtime-deadline-ms']);
  const env = process.env;
  const context = {
    get callbackWaitsForEmptyEventLoop() {
      return waitForEmptyLoop;
    },
    set callbackWaitsForEmptyEventLoop(v) {
      waitForEmptyLoop = v;
    },
    succeed: once((result) => complete(null, result)),
    fail: once((err) => complete(err === undefined || err === null ? 'handled' : err)),
    done: once((err, result) => complete(err, result)),
    functionName: env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
    invokedFunctionArn: headers['lambda-runtime-invoked-function-arn'],
    awsRequestId: inv.id,
    tenantId: headers['lambda-runtime-aws-tenant-id'],
    getRemainingTimeInMillis: () => deadline - Date.now(),
  };
  // If the event loop empties first: a sync handler that never called back answers null, an
  // async one whose promise never settled is an error (as in Lambda).
  onEmptyLoop = () => complete(isAsync || streaming
    ? runtimeError('Runtime.NodeJsExit', 'the event loop emptied before the handler finished (a promise that never settled?)')
    : null, null);
  try {
    context.clientContext = parseHeaderJson(headers['lambda-runtime-client-context'], 'ClientContext');
    context.identity = parseHeaderJson(headers['lambda-runtime-cognito-identity'], 'CognitoIdentity');
    const event = JSON.parse(body.toString('utf8'));
    if (streaming) {
      const stream = new ResponseStream();
      Promise.resolve(handler(event, stream, context)).then(() => {
        if (stream.writableFinished) complete(null, stream);
        else stream.on('finish', () => complete(null, stream));
      }, (e) => complete(e === undefined || e === null ? 'handled' : e));
      return;
    }
    const result = handler(event, context, callback);
    if (result && typeof result.then === 'function') {
      result.then(context.succeed, context.fail);
    }
  } catch (e) {
    callback(e);
  }
}

function nextInvocation() {
  api('GET', '/invocation/next').then((res) => {
    if (res.status !== 200) throw new Error(`GET next: HTTP ${res.status} ${res.body.toString().slice(0, 200)}`);
    const id = res.headers['lambda-runtime-aws-request-id'];
    if (!id) throw new Error('GET next: no Lambda-Runtime-Aws-Request-Id');
    const trace = res.headers['lambda-runtime-trace-id'];
    if (trace) process.env._X_AMZN_TRACE_ID = trace;
    else delete process.env._X_AMZN_TRACE_ID;
    last = { id, reported: false, called: false };
    invoke(last, res.headers, res.body);
  }).catch((e) => {
    diag('Runtime API:', e.message);
    process.exit(1);
  });
}

/** Exits when stdin ends: the harness holds its other end, so however the harness ends, this
 * process does not outlive it. The stream is unref'd: it never keeps the event loop alive (a
 * callback handler waits for an empty loop). */
function watchLifeline() {
  try {
    process.stdin.on('end', () => process.exit(0));
    process.stdin.on('error', () => {});
    process.stdin.on('data', () => {});
    if (typeof process.stdin.unref === 'function') process.stdin.unref();
  } catch (_) {
    /* no stdin: nothing to watch */
  }
}

async function main() {
  watchLifeline();
  installEgressGuard();
  installCanaryGuard();
  Module.syncBuiltinESMExports(); // `import { readFileSync } from 'fs'` sees the guards too

  process.on('uncaughtException', (err) => fatal(err, 129));
  process.on('unhandledRejection', (reason) => {
    const err = new Error(String(reason instanceof Error ? `${reason.name}: ${reason.message}` : reason));
    err.name = 'Runtime.UnhandledPromiseRejection';
    err.stack = reason instanceof Error && typeof reason.stack === 'string' ? reason.stack : `${err.name}: ${err.message}`;
    fatal(err, 128);
  });
  process.on('beforeExit', () => {
    const f = onEmptyLoop;
    onEmptyLoop = null;
    if (f) f();
  });

  const appRoot = process.env.LAMBDA_TASK_ROOT || process.cwd();
  let fn;
  try {
    fn = await loadHandler(appRoot, process.env._HANDLER || process.argv[2] || '');
  } catch (e) {
    diag('cannot load the handler:', e);
    try {
      await postError('/init/error', e);
    } catch (e2) {
      diag('cannot report to the Runtime API:', e2.message);
    }
    process.exit(1);
  }
  streaming = fn[STREAMING] === true;
  isAsync = fn.constructor && fn.constructor.name === 'AsyncFunction';
  handler = fn;
  nextInvocation();
}

main();

'use strict';

// Opens a socket to the loopback port the event names, the low-level way (a health check of a
// "sidecar"). BUG: any port, so the machine's own services too. `how` picks the call:
// `connect-hex` (net.Socket#connect with the port as a hexadecimal string, which Node accepts),
// `udp` (dgram send without an address: Node sends to localhost).
const dgram = require('dgram');
const net = require('net');
const { field, respond } = require('./event');

function tcp(port) {
  return new Promise((resolve) => {
    const socket = new net.Socket();
    socket.setTimeout(2000, () => { socket.destroy(); resolve(false); });
    socket.on('error', () => resolve(false));
    socket.connect(`0x${port.toString(16)}`, '127.0.0.1', () => { socket.end(); resolve(true); });
  });
}

function udp(port) {
  return new Promise((resolve) => {
    const socket = dgram.createSocket('udp4');
    socket.send(Buffer.from('ping'), port, (err) => { socket.close(); resolve(!err); });
  });
}

exports.handler = async (event) => {
  const port = field(event, 'port');
  const how = field(event, 'how');
  if (!Number.isInteger(port) || port <= 0 || port >= 65536) {
    return respond(400, { message: 'port must be a port number' });
  }
  const ok = how === 'udp' ? await udp(port) : await tcp(port);
  return respond(ok ? 200 : 502, { how, ok });
};

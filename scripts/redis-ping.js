// Exits 0 when the Redis at the given URL answers PING within 2 s (used by scripts/test.sh).
const net = require('node:net');
const url = new URL(process.argv[2] || 'redis://127.0.0.1:6379');
const socket = net.connect(Number(url.port || 6379), url.hostname, () => socket.write('PING\r\n'));
const timer = setTimeout(() => process.exit(1), 2000);
socket.on('data', (data) => {
  clearTimeout(timer);
  process.exit(data.toString().startsWith('+PONG') || data.toString().startsWith('-NOAUTH') ? 0 : 1);
});
socket.on('error', () => process.exit(1));

// Two tiny TCP programs for `node -e`, run inside test namespaces to prove what a firewall lets
// through: a responder standing for a guest's service and a client standing for a LAN machine.

/** Listens on the port given as its argument and greets each client: "hello from guest to <client address>". */
export const TCP_RESPONDER_SCRIPT = `const port = Number(process.argv[1]);
require('net').createServer((s) => s.end('hello from guest to ' + s.remoteAddress + '\\n')).listen(port, '0.0.0.0');`;

/** Connects to the address and port given as arguments; prints the greeting, or ERR and the error code. Never hangs. */
export const TCP_CLIENT_SCRIPT = `const [address, port] = process.argv.slice(1);
const s = require('net').connect(Number(port), address);
let out = '';
s.on('data', (d) => (out += d));
s.on('end', () => { console.log(out.trim()); process.exit(0); });
s.on('error', (e) => { console.log('ERR ' + e.code); process.exit(0); });
setTimeout(() => { console.log('ERR TIMEOUT'); process.exit(0); }, 3000);`;

// Runs one conformance client once the harness grants a slot: `node conformanceSlot.js <socket> <ms> <command…>`.
// The CLI's `client --suite all` starts every scenario's client at once; each is this small wrapper, which
// connects to the harness's slot socket, waits for "go", runs the real client, and exits with its code.
// The open connection is the slot: when this process ends in any way, the socket closes and the slot is free.
// <ms> bounds the client's own run (the CLI's timeout also counts the wait for a slot, so it is set far higher).
const { spawn } = require('child_process');
const net = require('net');

const [socketPath, timeoutMs, command, ...args] = process.argv.slice(2);
if (!socketPath || !(Number(timeoutMs) > 0) || !command) {
  process.stderr.write('usage: node conformanceSlot.js <socket> <timeout-ms> <command> [args…]\n');
  process.exit(2);
}

const slot = net.connect(socketPath);
let child;
slot.on('error', err => {
  process.stderr.write(`conformanceSlot: ${err.message}\n`);
  process.exit(1);
});
slot.once('data', () => {
  child = spawn(command, args, { stdio: 'inherit' });
  const timer = setTimeout(() => {
    process.stderr.write(`conformanceSlot: the client did not finish within ${timeoutMs} ms\n`);
    child.kill('SIGKILL');
  }, Number(timeoutMs));
  child.on('exit', (code, signal) => {
    clearTimeout(timer);
    process.exit(code ?? (signal ? 1 : 0));
  });
});
// The CLI kills a client that outlives its timeout; pass that on.
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    if (child && child.exitCode === null) child.kill(signal);
    else process.exit(1);
  });
}

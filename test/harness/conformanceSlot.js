// Runs one conformance client once the harness grants a slot:
// `node conformanceSlot.js <socket> <load-ms> <run-ms> <command…>`.
// The CLI's `client --suite all` starts every scenario's client at once; each is this small wrapper, which
// connects to the harness's slot socket, waits for "go", runs the real client, and exits with its code.
// The open connection is the slot: when this process ends in any way, the socket closes and the slot is free.
// Two bounds: <load-ms> from the client's start to its first output (Node starting and loading the client, which
// a starved machine has stretched to 18 s), then <run-ms> for its own run. The CLI's timeout also counts the wait
// for a slot, so it is set far higher. The client's output is passed through unchanged.
const { spawn } = require('child_process');
const net = require('net');

const [socketPath, loadMs, runMs, command, ...args] = process.argv.slice(2);
if (!socketPath || !(Number(loadMs) > 0) || !(Number(runMs) > 0) || !command) {
  process.stderr.write('usage: node conformanceSlot.js <socket> <load-ms> <run-ms> <command> [args…]\n');
  process.exit(2);
}

const slot = net.connect(socketPath);
let child;
slot.on('error', err => {
  process.stderr.write(`conformanceSlot: ${err.message}\n`);
  process.exit(1);
});
slot.once('data', () => {
  child = spawn(command, args, { stdio: ['inherit', 'pipe', 'pipe'] });
  // The harness reads "the client did not finish" in a client's stderr as "starved, not wrong".
  const limit = (ms, what) =>
    setTimeout(() => {
      process.stderr.write(`conformanceSlot: the client did not finish ${what}\n`);
      child.kill('SIGKILL');
    }, Number(ms));
  let timer = limit(loadMs, `loading within ${loadMs} ms (no output)`);
  let running = false;
  const pass = out => chunk => {
    if (!running) {
      running = true;
      clearTimeout(timer);
      timer = limit(runMs, `within ${runMs} ms of its first output`);
    }
    out.write(chunk);
  };
  child.stdout.on('data', pass(process.stdout));
  child.stderr.on('data', pass(process.stderr));
  // 'close': the child has exited and its output has all been passed on.
  child.on('close', (code, signal) => {
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

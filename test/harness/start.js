// `npm start`: builds the VSIX, installs it into a local code-server, opens a demo workspace whose
// .vscode/mcp.json configures real servers that run offline, and prints the loopback URL.
// Ctrl+C stops code-server and everything it started (its whole process group).
const fs = require('fs');
const path = require('path');
const lib = require('./lib');

function writeDemoConfig(workspace) {
  const server = name => path.join(lib.root, 'node_modules', '@modelcontextprotocol', name, 'dist', 'index.js');
  const config = {
    servers: {
      everything: { type: 'stdio', command: 'node', args: [server('server-everything')] },
      filesystem: { type: 'stdio', command: 'node', args: [server('server-filesystem'), '${workspaceFolder}'] },
    },
  };
  const file = path.join(workspace, '.vscode', 'mcp.json');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `// Written by npm start: servers from this clone's node_modules, run offline over stdio.\n${JSON.stringify(config, null, 2)}\n`);
}

async function main() {
  lib.ensureDependencies();
  const env = lib.ensureSetup();
  const vsix = lib.packageVsix();
  const home = path.join(lib.cache, 'demo');
  fs.rmSync(home, { recursive: true, force: true });
  fs.mkdirSync(home, { recursive: true });
  const profile = lib.createProfile('demo');
  console.log(lib.installExtension(env, profile, vsix).trim());
  const workspace = lib.copyWorkspace('demo', home);
  writeDemoConfig(workspace);
  const port = Number(process.env.PORT) || (await lib.freePort());
  const server = await lib.startCodeServer(env, profile, { workspace, port, logFile: path.join(home, 'code-server.log') });
  console.log(`\nMCP Host is running in VS Code (code-server) with the demo workspace:\n\n    ${server.url}/?folder=${encodeURIComponent(workspace)}\n`);
  console.log(`Workspace: ${workspace}\nLogs:      ${path.join(home, 'code-server.log')}\nPress Ctrl+C to stop.`);
  const code = await server.exited;
  console.log(`code-server exited (${code})`);
}

main().catch(err => {
  console.error(err.stack || String(err));
  lib.stopAll().finally(() => process.exit(1));
});

// Starts Debian's nginx with its WebDAV module on 127.0.0.1 for one test file: a real HTTP remote, no network beyond loopback.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const nginxBinary = '/usr/sbin/nginx';

export interface Nginx {
  /** A collection with create_full_put_path: PUT makes missing parents. */
  url: string;
  /** A collection without it: PUT into a missing parent answers 409, the client has to MKCOL. */
  strictUrl: string;
  /** The first collection over TLS, with a self-signed certificate for 127.0.0.1 (trust it with NODE_EXTRA_CA_CERTS=`certificate`). */
  httpsUrl: string;
  certificate: string;
  root: string;
  /** How many requests nginx logged so far. */
  requests(): number;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function config(dir: string, port: number, tlsPort: number): string {
  const www = path.join(dir, 'www');
  const temp = (name: string) => `${name}_temp_path ${path.join(dir, name)};`;
  return `daemon off;
${process.getuid?.() === 0 ? 'user root;' : ''}
worker_processes 2;
pid ${path.join(dir, 'nginx.pid')};
error_log ${path.join(dir, 'error.log')} warn;
events { worker_connections 256; }
http {
  access_log ${path.join(dir, 'access.log')};
  ${temp('client_body')} ${temp('proxy')} ${temp('fastcgi')} ${temp('uwsgi')} ${temp('scgi')}
  sendfile on;
  server {
    listen 127.0.0.1:${port};
    listen 127.0.0.1:${tlsPort} ssl;
    ssl_certificate ${path.join(dir, 'cert.pem')};
    ssl_certificate_key ${path.join(dir, 'key.pem')};
    root ${www};
    client_max_body_size 0;
    location /cache/ { dav_methods PUT DELETE MKCOL; create_full_put_path on; dav_access user:rw group:r all:r; }
    location /strict/ { dav_methods PUT DELETE MKCOL; dav_access user:rw group:r all:r; }
  }
}
`;
}

async function waitForPort(port: number, child: ChildProcess, log: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx exited ${child.exitCode}: ${fs.readFileSync(log, 'utf8').slice(-500)}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.end();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error('nginx did not listen within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function startNginx(): Promise<Nginx> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linpath-nginx-'));
  for (const sub of ['www/cache', 'www/strict']) fs.mkdirSync(path.join(dir, sub), { recursive: true });
  const port = await freePort();
  const tlsPort = await freePort();
  // A certificate for 127.0.0.1 made here, so the HTTPS remote is tested without trusting anything outside.
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      path.join(dir, 'key.pem'),
      '-out',
      path.join(dir, 'cert.pem'),
    ],
    { stdio: 'ignore' },
  );
  const file = path.join(dir, 'nginx.conf');
  fs.writeFileSync(file, config(dir, port, tlsPort));
  const log = path.join(dir, 'error.log');
  fs.writeFileSync(log, '');
  const child = spawn(nginxBinary, ['-c', file, '-p', dir, '-e', log], { stdio: 'ignore' });
  await waitForPort(port, child, log);
  await waitForPort(tlsPort, child, log);
  const accessLog = path.join(dir, 'access.log');
  return {
    url: `http://127.0.0.1:${port}/cache/`,
    strictUrl: `http://127.0.0.1:${port}/strict/`,
    httpsUrl: `https://127.0.0.1:${tlsPort}/cache/`,
    certificate: path.join(dir, 'cert.pem'),
    root: path.join(dir, 'www'),
    requests: () => (fs.existsSync(accessLog) ? fs.readFileSync(accessLog, 'utf8').split('\n').filter(Boolean).length : 0),
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGQUIT');
        await exited;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

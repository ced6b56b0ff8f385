// Which remote a command uses: --remote URL, else PIPELINE_REMOTE, else `cache: { remote: URL }` in pipeline.yaml; a plain path is a directory.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatLocation } from '../errors.js';
import type { Pipeline } from '../pipeline/load.js';
import { locate } from '../pipeline/yaml-source.js';
import { authorizationFromEnv } from './credentials.js';
import { DirectoryRemote } from './directory-remote.js';
import { RemoteError } from './errors.js';
import { HttpRemote } from './http-remote.js';
import type { Remote } from './remote.js';

export interface RemoteSettings {
  /** A request with no answer for this long fails (PIPELINE_REMOTE_TIMEOUT, seconds; default 30). */
  timeoutMs: number;
  /** Transfers in flight at once (PIPELINE_REMOTE_JOBS; default 8). */
  connections: number;
}

function positiveFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new RemoteError('remote-config', `${name}=${text}: expected a number > 0`);
  return value;
}

export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env): RemoteSettings {
  return {
    timeoutMs: positiveFromEnv(env, 'PIPELINE_REMOTE_TIMEOUT', 30) * 1000,
    connections: Math.max(1, Math.round(positiveFromEnv(env, 'PIPELINE_REMOTE_JOBS', 8))),
  };
}

/** Opens the remote `spec` names; `from` says where it was written, for messages; `base` resolves a relative path. */
export function openRemote(spec: string, from: string, base: string, settings: RemoteSettings, env: NodeJS.ProcessEnv = process.env): Remote {
  if (spec.trim() === '') throw new RemoteError('remote-config', `${from}: the remote is empty; give a URL (http://…, https://…) or a directory`);
  if (!/^[a-z][a-z0-9+.-]*:/i.test(spec) || /^[a-z]:[\\/]/i.test(spec)) return new DirectoryRemote(path.resolve(base, spec));
  let url: URL;
  try {
    url = new URL(spec);
  } catch (cause) {
    throw new RemoteError('remote-config', `${from}: ${JSON.stringify(spec)} is not a URL`, { cause });
  }
  if (url.protocol === 'file:') {
    try {
      return new DirectoryRemote(fileURLToPath(url));
    } catch (cause) {
      throw new RemoteError('remote-config', `${from}: ${JSON.stringify(spec)} is not a local file URL`, { cause });
    }
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new RemoteError('remote-config', `${from}: unsupported remote scheme ${url.protocol} (expected http://, https://, file:// or a directory path)`);
  }
  if (url.username || url.password) {
    // Said without echoing the URL: it holds the secret.
    throw new RemoteError(
      'remote-config',
      `${from}: the remote URL holds credentials, which would end up in logs and files; set PIPELINE_REMOTE_TOKEN, or PIPELINE_REMOTE_USER and PIPELINE_REMOTE_PASSWORD, instead`,
    );
  }
  if (url.search || url.hash) throw new RemoteError('remote-config', `${from}: the remote URL may not have a query or fragment`);
  return new HttpRemote(url, { authorization: authorizationFromEnv(env), timeoutMs: settings.timeoutMs, connections: settings.connections });
}

/** The remote named for this command, or undefined when none is. Nothing is contacted here. */
export function resolveRemote(pipeline: Pipeline, flag: string | undefined, env: NodeJS.ProcessEnv = process.env): Remote | undefined {
  const settings = settingsFromEnv(env);
  if (flag !== undefined) return openRemote(flag, '--remote', process.cwd(), settings, env);
  if (env.PIPELINE_REMOTE !== undefined && env.PIPELINE_REMOTE !== '') return openRemote(env.PIPELINE_REMOTE, 'PIPELINE_REMOTE', process.cwd(), settings, env);
  // From the memoized pipeline: touching pipeline.source would parse the YAML, which a no-op run never does.
  const written = pipeline.cache?.remote;
  if (written === undefined) return undefined;
  return openRemote(written, formatLocation(locate(pipeline.source, ['cache', 'remote'])), pipeline.root, settings, env);
}

/** For push and pull, which have nothing to do without one. */
export function requireRemote(pipeline: Pipeline, flag: string | undefined, command: string): Remote {
  const remote = resolveRemote(pipeline, flag);
  if (!remote) throw new RemoteError('remote-config', `${command}: no remote; give --remote URL, set PIPELINE_REMOTE, or write \`cache: { remote: URL }\` in ${pipeline.source.file}`);
  return remote;
}

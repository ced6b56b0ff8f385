// Credentials for an HTTP remote, read only from the environment so they never reach pipeline.yaml, the lock or a log.

/**
 * PIPELINE_REMOTE_TOKEN → `Authorization: Bearer …`; else PIPELINE_REMOTE_USER + PIPELINE_REMOTE_PASSWORD →
 * Basic. Undefined when neither is set (an open remote, or one that answers 401: a clear failure).
 */
export function authorizationFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const token = env.PIPELINE_REMOTE_TOKEN;
  if (token) return `Bearer ${token}`;
  const user = env.PIPELINE_REMOTE_USER;
  if (user) return `Basic ${Buffer.from(`${user}:${env.PIPELINE_REMOTE_PASSWORD ?? ''}`).toString('base64')}`;
  return undefined;
}

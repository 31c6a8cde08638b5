import type { ConnectionOptions as TlsOptions } from 'node:tls';
import { InvalidArgumentError } from '@topk/core';

/** How to reach Redis, when a URL alone is not enough (a CA bundle, a client certificate). */
export interface RedisConnectionOptions {
  /**
   * `redis://[user[:password]@]host[:port][/db]`, or `rediss://…` for TLS.
   * @defaultValue the `REDIS_URL` environment variable, else `'redis://127.0.0.1:6379'`
   */
  readonly url?: string;
  /** Overrides the URL's user name (Redis 6 ACL users). */
  readonly username?: string;
  /** Overrides the URL's password, e.g. read from a secrets file rather than put on a command line. */
  readonly password?: string;
  /**
   * TLS: `true` for TLS with the system's certificate authorities, or Node's `tls.connect` options
   * (`ca`, `cert`, `key`, `servername`, …). A `rediss://` URL implies `true`.
   * @defaultValue false, unless the URL is rediss://
   */
  readonly tls?: boolean | TlsOptions;
}

/** A Redis URL or {@link RedisConnectionOptions}; every API of this package that talks to Redis takes one. */
export type RedisOption = string | RedisConnectionOptions;

/** Connection settings as BullMQ (ioredis) takes them. */
export interface RedisConnection {
  readonly host: string;
  readonly port: number;
  readonly db: number;
  readonly username?: string;
  readonly password?: string;
  readonly tls?: TlsOptions;
}

/** Where a coordinator or worker connects when neither an option nor `REDIS_URL` says otherwise. */
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/**
 * Resolves a Redis option into connection settings: the option's URL, else the `REDIS_URL` environment
 * variable, else a Redis on this machine's loopback interface. Credentials may come in the URL
 * (percent-encoded) or as separate fields; `rediss://` or `tls` turns on TLS.
 *
 * @param redis - a URL or options; `undefined` uses the environment.
 * @param env - the environment to read `REDIS_URL` from.
 */
export function resolveRedisConnection(
  redis?: RedisOption | undefined,
  env: Readonly<Record<string, string | undefined>> = process.env,
): RedisConnection {
  const fn = 'resolveRedisConnection';
  const options: RedisConnectionOptions =
    typeof redis === 'string' ? { url: redis } : redis === undefined ? {} : redis;
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgumentError(fn, 'redis', 'a redis:// or rediss:// URL or connection options', redis);
  }
  const envUrl = env.REDIS_URL !== undefined && env.REDIS_URL !== '' ? env.REDIS_URL : undefined;
  const text = options.url ?? envUrl ?? DEFAULT_REDIS_URL;
  const argument = options.url !== undefined ? 'redis.url' : envUrl !== undefined ? 'REDIS_URL' : 'redis';
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InvalidArgumentError(fn, argument, 'a redis:// or rediss:// URL', text);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new InvalidArgumentError(fn, argument, 'a redis:// or rediss:// URL', text);
  }
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  if (host === '') throw new InvalidArgumentError(fn, argument, 'a URL with a host name', text);
  const port = url.port === '' ? 6379 : Number(url.port);
  const path = url.pathname.replace(/^\//, '');
  const db = path === '' ? 0 : Number(path);
  if (!/^\d*$/.test(path) || !Number.isSafeInteger(db)) {
    throw new InvalidArgumentError(fn, argument, 'a URL whose path is a database number (/0, /1, …)', text);
  }
  const username = options.username ?? (url.username !== '' ? decodeURIComponent(url.username) : undefined);
  const password = options.password ?? (url.password !== '' ? decodeURIComponent(url.password) : undefined);
  const { tls: tlsOption } = options;
  if (
    tlsOption !== undefined &&
    typeof tlsOption !== 'boolean' &&
    (typeof tlsOption !== 'object' || !tlsOption)
  ) {
    throw new InvalidArgumentError(fn, 'redis.tls', 'a boolean or TLS options', tlsOption);
  }
  const tls: TlsOptions | undefined =
    typeof tlsOption === 'object'
      ? tlsOption
      : tlsOption === true || (tlsOption === undefined && url.protocol === 'rediss:')
        ? {}
        : undefined;
  return {
    host,
    port,
    db,
    ...(username !== undefined ? { username } : {}),
    ...(password !== undefined ? { password } : {}),
    ...(tls !== undefined ? { tls } : {}),
  };
}

/** A connection as a URL without its password, for logs and reports. */
export function describeRedisConnection(connection: RedisConnection): string {
  const scheme = connection.tls !== undefined ? 'rediss' : 'redis';
  const user = connection.username !== undefined ? `${encodeURIComponent(connection.username)}@` : '';
  const host = connection.host.includes(':') ? `[${connection.host}]` : connection.host;
  return `${scheme}://${user}${host}:${connection.port}/${connection.db}`;
}

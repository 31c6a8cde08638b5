import { describe, expect, it } from 'vitest';
import { DEFAULT_REDIS_URL, describeRedisConnection, resolveRedisConnection } from './redis-connection.js';

describe('resolveRedisConnection', () => {
  it('defaults to the loopback interface when neither an option nor REDIS_URL is given', () => {
    expect(DEFAULT_REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(resolveRedisConnection(undefined, {})).toEqual({ host: '127.0.0.1', port: 6379, db: 0 });
    expect(resolveRedisConnection(undefined, { REDIS_URL: '' })).toEqual({
      host: '127.0.0.1',
      port: 6379,
      db: 0,
    });
  });

  it('reads REDIS_URL, and an explicit URL wins over it', () => {
    const env = { REDIS_URL: 'redis://queue.internal:6380/2' };
    expect(resolveRedisConnection(undefined, env)).toEqual({ host: 'queue.internal', port: 6380, db: 2 });
    expect(resolveRedisConnection('redis://10.0.0.5', env)).toEqual({ host: '10.0.0.5', port: 6379, db: 0 });
  });

  it('takes percent-encoded credentials from the URL, overridable by options', () => {
    expect(resolveRedisConnection('redis://alice:p%40ss%3Aword@h:1/0', {})).toEqual({
      host: 'h',
      port: 1,
      db: 0,
      username: 'alice',
      password: 'p@ss:word',
    });
    expect(resolveRedisConnection('redis://:secret@h', {})).toEqual({
      host: 'h',
      port: 6379,
      db: 0,
      password: 'secret',
    });
    expect(resolveRedisConnection({ url: 'redis://alice:old@h', password: 'new' }, {})).toMatchObject({
      username: 'alice',
      password: 'new',
    });
  });

  it('turns TLS on for rediss:// and for the tls option, passing TLS options through', () => {
    expect(resolveRedisConnection('rediss://h:6390', {})).toEqual({ host: 'h', port: 6390, db: 0, tls: {} });
    expect(resolveRedisConnection({ url: 'redis://h', tls: true }, {}).tls).toEqual({});
    expect(resolveRedisConnection({ url: 'rediss://h', tls: false }, {}).tls).toBeUndefined();
    const tls = { ca: 'PEM', servername: 'redis.example' };
    expect(resolveRedisConnection({ url: 'rediss://h', tls }, {}).tls).toBe(tls);
    expect(resolveRedisConnection('redis://[::1]:7000', {})).toEqual({ host: '::1', port: 7000, db: 0 });
  });

  it('describes a connection without its password', () => {
    const connection = resolveRedisConnection('rediss://alice:secret@h:6390/3', {});
    expect(describeRedisConnection(connection)).toBe('rediss://alice@h:6390/3');
    expect(describeRedisConnection(resolveRedisConnection('redis://[::1]', {}))).toBe('redis://[::1]:6379/0');
  });

  it('rejects what is not a Redis URL, naming where it came from', () => {
    expect(() => resolveRedisConnection('http://h', {})).toThrow(
      'Error in resolveRedisConnection: redis.url must be a redis:// or rediss:// URL, got "http://h"',
    );
    expect(() => resolveRedisConnection(undefined, { REDIS_URL: 'not a url' })).toThrow(
      'Error in resolveRedisConnection: REDIS_URL must be a redis:// or rediss:// URL, got "not a url"',
    );
    expect(() => resolveRedisConnection('redis://h/x', {})).toThrow('path is a database number');
    expect(() => resolveRedisConnection(42 as never, {})).toThrow(
      'redis must be a redis:// or rediss:// URL',
    );
    expect(() => resolveRedisConnection({ url: 'redis://h', tls: 'yes' as never }, {})).toThrow(
      'redis.tls must be a boolean or TLS options',
    );
  });
});

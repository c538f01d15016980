import { describe, expect, it } from 'vitest';
import { ConfigError, describeConfig, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('has working defaults for a fresh machine', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      databaseUrl: './stepwise.db',
      publicUrl: 'http://localhost:3000',
      clock: 'system',
      maxActiveSequences: 250,
      allowParallelEnrollments: false,
    });
  });

  it('reads the environment of api.md', () => {
    const config = loadConfig({
      PORT: '8080',
      DATABASE_URL: 'postgres://u:p@db/stepwise',
      STEPWISE_PUBLIC_URL: 'https://sales.example.com/',
      STEPWISE_SMTP_URL: 'smtps://me:secret@mail.example.com:465',
      STEPWISE_CLOCK: 'manual',
      STEPWISE_MAX_ACTIVE_SEQUENCES: '10',
      STEPWISE_ADMIN_EMAIL: 'admin@example.com',
      STEPWISE_ADMIN_PASSWORD: 'correct horse',
    });
    expect(config.port).toBe(8080);
    expect(config.publicUrl).toBe('https://sales.example.com');
    expect(config.clock).toBe('manual');
    expect(config.maxActiveSequences).toBe(10);
    expect(describeConfig(config)).toMatchObject({
      databaseUrl: 'postgres://u:***@db/stepwise',
      smtpUrl: 'smtps://me:***@mail.example.com:465',
      adminPassword: '***',
    });
  });

  it('reports every bad value at once', () => {
    let error: unknown;
    try {
      loadConfig({
        PORT: 'eighty',
        STEPWISE_CLOCK: 'fast',
        STEPWISE_SMTP_URL: 'http://x',
        STEPWISE_SECRET: 'short',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain('PORT');
    expect(message).toContain('STEPWISE_CLOCK');
    expect(message).toContain('STEPWISE_SMTP_URL');
    expect(message).toContain('STEPWISE_SECRET');
  });

  it('wants the first administrator email and password together', () => {
    expect(() => loadConfig({ STEPWISE_ADMIN_EMAIL: 'a@example.com' })).toThrow(/go together/);
  });

  it('reads STEPWISE_TRUST_PROXY as off, on, a hop count or addresses', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ STEPWISE_TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ STEPWISE_TRUST_PROXY: 'off' }).trustProxy).toBe(false);
    expect(loadConfig({ STEPWISE_TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ STEPWISE_TRUST_PROXY: '10.0.0.0/8, 127.0.0.1,::1' }).trustProxy).toEqual([
      '10.0.0.0/8',
      '127.0.0.1',
      '::1',
    ]);
    expect(() => loadConfig({ STEPWISE_TRUST_PROXY: 'the load balancer' })).toThrow(/STEPWISE_TRUST_PROXY/);
    expect(() => loadConfig({ STEPWISE_TRUST_PROXY: '0' })).not.toThrow();
    expect(() => loadConfig({ STEPWISE_TRUST_PROXY: '500' })).toThrow(/hop count/);
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, describeConfig, loadConfig, SETTINGS, unknownSettings } from './config.js';

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

  it("lists in README.md's Configuration table exactly the variables it reads", () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const table = /^## Configuration\n[\s\S]*?(\n\|[\s\S]*?)\n\n/m.exec(readme)?.[1] ?? '';
    // The first cell of each row: `PORT`, `HOST` holds two names.
    const documented = table
      .split('\n')
      .slice(3)
      .flatMap((row) => [...(row.split('|')[1] ?? '').matchAll(/`([A-Z_]+)`/g)].map((match) => match[1]));
    expect(documented.sort()).toEqual([...SETTINGS].sort());
    // And SETTINGS is what loadConfig reads: every name it looks up in the environment, no other.
    const read = new Set<string>();
    loadConfig(
      new Proxy({} as Record<string, string | undefined>, {
        get(_target, name) {
          if (typeof name === 'string') read.add(name);
          return undefined;
        },
      }),
    );
    expect([...read].sort()).toEqual([...SETTINGS].sort());
  });

  it('names the STEPWISE_ variables that no setting reads, not those of the tests', () => {
    expect(
      unknownSettings({
        STEPWISE_SMTP: 'smtp://mail.example.com',
        STEPWISE_SMTP_URL: 'smtp://mail.example.com',
        STEPWISE_ADMIN_USER: 'admin@example.com',
        STEPWISE_TEST_POSTGRES: 'postgres://postgres@127.0.0.1:5432/test',
        STEPWISE_BENCH_POSTGRES: 'postgres://postgres@127.0.0.1:5432/bench',
        STEPWISE_API: 'http://127.0.0.1:4000',
        PORT: '8080',
        SMTP_URL: 'smtp://elsewhere',
      }),
    ).toEqual(['STEPWISE_ADMIN_USER', 'STEPWISE_SMTP']);
    expect(unknownSettings({ ...Object.fromEntries(SETTINGS.map((name) => [name, 'x'])) })).toEqual([]);
  });

  it('masks the whole password of a URL in the start-up log, one with a raw "@" too', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://u:p@ss@db/stepwise',
      STEPWISE_SMTP_URL: 'smtps://me:se@cr@t@mail.example.com:465',
      STEPWISE_IMAP_URL: 'imaps://me:a@b@imap.example.com/INBOX',
    });
    expect(describeConfig(config)).toMatchObject({
      databaseUrl: 'postgres://u:***@db/stepwise',
      smtpUrl: 'smtps://me:***@mail.example.com:465',
      imapUrl: 'imaps://me:***@imap.example.com/INBOX',
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

  it('checks the first administrator, the sender address and the database URL', () => {
    const admin = (email: string, password: string) =>
      loadConfig({ STEPWISE_ADMIN_EMAIL: email, STEPWISE_ADMIN_PASSWORD: password });
    expect(() => admin('bad', 'a long enough password')).toThrow(/STEPWISE_ADMIN_EMAIL is not an email/);
    expect(() => admin('admin@example.com', 'short')).toThrow(/STEPWISE_ADMIN_PASSWORD must be at least 10/);
    expect(admin('admin@example.com', 'a long enough password').adminEmail).toBe('admin@example.com');
    expect(() => loadConfig({ STEPWISE_MAIL_FROM: 'notanemail' })).toThrow(/STEPWISE_MAIL_FROM/);
    expect(loadConfig({ STEPWISE_MAIL_FROM: 'Sales <sales@example.com>' }).mailFrom).toBe(
      'Sales <sales@example.com>',
    );
    expect(loadConfig({ STEPWISE_MAIL_FROM: 'sales@example.com' }).mailFrom).toBe('sales@example.com');
    expect(() => loadConfig({ DATABASE_URL: 'mysql://root:secret@db/crm' })).toThrow(
      /DATABASE_URL must be postgres:\/\/…[\s\S]*mysql:\/\/…@db\/crm/,
    );
    for (const url of [
      'postgres://u@h/db',
      'postgresql://u@h/db',
      'sqlite:./x.db',
      './x.db',
      '/tmp/x.db',
      ':memory:',
    ])
      expect(loadConfig({ DATABASE_URL: url }).databaseUrl).toBe(url);
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

  it('reads STEPWISE_OUTBOUND_HOSTS and STEPWISE_OUTBOUND_ALLOW', () => {
    expect(loadConfig({})).toMatchObject({ outboundHosts: 'default', outboundAllow: [] });
    expect(loadConfig({ STEPWISE_OUTBOUND_HOSTS: 'public' }).outboundHosts).toBe('public');
    expect(loadConfig({ STEPWISE_OUTBOUND_HOSTS: ' ANY ' }).outboundHosts).toBe('any');
    expect(
      loadConfig({ STEPWISE_OUTBOUND_ALLOW: '10.0.0.0/8, 169.254.169.123,fd00::/8, ::1' }).outboundAllow,
    ).toEqual(['10.0.0.0/8', '169.254.169.123', 'fd00::/8', '::1']);
    expect(() => loadConfig({ STEPWISE_OUTBOUND_HOSTS: 'private' })).toThrow(
      /STEPWISE_OUTBOUND_HOSTS must be one of default, public, any \(got "private"\)/,
    );
    for (const bad of ['10.0.0.0/33', 'example.com', '127.1', '10.0.0.0/8/8', 'fd00::/129', '10.0.0.0/x'])
      expect(() => loadConfig({ STEPWISE_OUTBOUND_ALLOW: `192.168.0.0/16,${bad}` }), bad).toThrow(
        `STEPWISE_OUTBOUND_ALLOW must be IP addresses or CIDR ranges separated by commas (not "${bad}")`,
      );
  });
});

// LISTEN on a dedicated pooled connection: other processes' commits NOTIFY when they create work due
// soon. A hint only — a lost connection just means the worker's bounded sleep finds the work instead.
import type pg from 'pg';

const CHANNEL = /^[a-z_][a-z0-9_]*$/;

export async function listenOnPool(
  pool: pg.Pool,
  channel: string,
  onNotify: () => void,
): Promise<() => Promise<void>> {
  if (!CHANNEL.test(channel)) throw new Error(`Bad channel name: ${channel}`);
  const client = await pool.connect();
  const onNotification = (message: pg.Notification) => {
    if (message.channel === channel) onNotify();
  };
  client.on('notification', onNotification);
  client.on('error', () => {});
  await client.query(`LISTEN ${channel}`);
  let stopped = false;
  return async () => {
    if (stopped) return;
    stopped = true;
    client.off('notification', onNotification);
    try {
      await client.query(`UNLISTEN ${channel}`);
      client.release();
    } catch (error) {
      client.release(error instanceof Error ? error : true);
    }
  };
}

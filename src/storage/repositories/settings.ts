// Installation settings as JSON values by key (e.g. the generated secret).
import type { JsonValue, SettingsRepository } from '../../engine/ports/store.js';
import { fromJson, toJson } from '../codec.js';
import type { RepositoryContext } from './context.js';

export function createSettingsRepository({ db }: RepositoryContext): SettingsRepository {
  const read = async (key: string) => {
    const row = await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
    return row === undefined ? undefined : fromJson<JsonValue>(row.value);
  };
  return {
    get: read,

    async set(key, value) {
      const text = toJson(value);
      await db
        .insertInto('settings')
        .values({ key, value: text })
        .onConflict((conflict) => conflict.column('key').doUpdateSet({ value: text }))
        .execute();
    },

    async setIfAbsent(key, value) {
      await db
        .insertInto('settings')
        .values({ key, value: toJson(value) })
        .onConflict((conflict) => conflict.column('key').doNothing())
        .execute();
      const stored = await read(key);
      return stored === undefined ? value : stored;
    },
  };
}

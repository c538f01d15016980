// Users: sellers, managers and administrators, with their calendars (time zone, working hours, time off).
import { type Selectable, sql } from 'kysely';
import { emailKey } from '../../domain/email-address.js';
import {
  DEFAULT_WORKING_HOURS,
  type Role,
  type TimeOff,
  type User,
  type UserRepository,
  WEEKDAYS,
  type WorkingHours,
} from '../../engine/ports/store.js';
import { fromFlag, fromJson, toFlag, toJson } from '../codec.js';
import { decodeCursor, emailKeyColumn, idColumn, keyset, pageLimit, toPage } from '../cursor.js';
import type { UsersTable } from '../schema.js';
import type { RepositoryContext } from './context.js';
import { selectByIds } from './context.js';

function toUser(row: Selectable<UsersTable>): User {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role as Role,
    passwordHash: row.password_hash,
    timezone: row.timezone,
    workingHours: inWeekOrder(fromJson<WorkingHours>(row.working_hours)),
    timeOff: fromJson<TimeOff[]>(row.time_off),
    disabled: fromFlag(row.disabled),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/**
 * Monday to Sunday, whatever order the column kept: PostgreSQL's jsonb orders keys by length, then bytes
 * (`fri, mon, sat, …`), and clients show the days in the order they come.
 */
function inWeekOrder(hours: WorkingHours): WorkingHours {
  const ordered = {} as WorkingHours;
  for (const day of WEEKDAYS) if (day in hours) ordered[day] = hours[day];
  return ordered;
}

const lowerEmail = sql<string>`lower(email)`;

/** By lower(email), with the id: a cursor of another list (or a one-string one) is a 400 here too. */
const USERS = keyset('users', [emailKeyColumn, idColumn('usr')]);

export function createUserRepository({ db, sql: dialectSql }: RepositoryContext): UserRepository {
  return {
    async create(user) {
      const row = await db
        .insertInto('users')
        .values({
          id: user.id,
          email: user.email,
          name: user.name,
          role: user.role,
          password_hash: user.passwordHash ?? null,
          timezone: user.timezone ?? 'UTC',
          working_hours: toJson(user.workingHours ?? DEFAULT_WORKING_HOURS),
          time_off: toJson(user.timeOff ?? []),
          disabled: toFlag(user.disabled ?? false),
          created_at: user.createdAt,
          updated_at: user.createdAt,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toUser(row);
    },

    async get(id) {
      const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? null : toUser(row);
    },

    async getByEmail(email) {
      // users_email_key
      const row = await db
        .selectFrom('users')
        .selectAll()
        .where(lowerEmail, '=', emailKey(email))
        .executeTakeFirst();
      return row === undefined ? null : toUser(row);
    },

    async getMany(ids) {
      const rows = await selectByIds(ids, (chunk) =>
        db
          .selectFrom('users')
          .selectAll()
          .where((eb) => dialectSql.inIds(eb.ref('id'), chunk))
          .execute(),
      );
      return rows.map(toUser);
    },

    async update(id, patch, updatedAt) {
      const row = await db
        .updateTable('users')
        .set((eb) => ({
          ...(patch.email === undefined ? {} : { email: patch.email }),
          ...(patch.name === undefined ? {} : { name: patch.name }),
          ...(patch.role === undefined ? {} : { role: patch.role }),
          ...(patch.passwordHash === undefined ? {} : { password_hash: patch.passwordHash }),
          ...(patch.timezone === undefined ? {} : { timezone: patch.timezone }),
          // The days given, the others kept, in the row's own write (no read-modify-write to race).
          ...(patch.workingHours === undefined
            ? {}
            : {
                working_hours: dialectSql.mergeJsonObject(
                  eb.ref('working_hours'),
                  eb.val(toJson(patch.workingHours)),
                ),
              }),
          ...(patch.timeOff === undefined ? {} : { time_off: toJson(patch.timeOff) }),
          ...(patch.disabled === undefined ? {} : { disabled: toFlag(patch.disabled) }),
          // Always later than before, even at the same clock instant (the test clock stands still until
          // moved): the engine's cache of owners' calendars is keyed by it (engine-cache.ts).
          updated_at: sql<number>`CASE WHEN updated_at >= ${updatedAt} THEN updated_at + 1 ELSE ${updatedAt} END`,
        }))
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      return row === undefined ? null : toUser(row);
    },

    async list(options) {
      const limit = pageLimit(options);
      const after = decodeCursor(options, USERS);
      // users_email_key: walked in order; lower(email) is unique, so it alone is the keyset.
      let query = db
        .selectFrom('users')
        .selectAll()
        .select(lowerEmail.as('sort_key'))
        .orderBy(lowerEmail)
        .limit(limit + 1);
      if (options?.role !== undefined) query = query.where('role', '=', options.role);
      if (after !== null) query = query.where(lowerEmail, '>', after[0]);
      const rows = await query.execute();
      return toPage(rows, limit, toUser, USERS, (row) => [row.sort_key, row.id]);
    },

    async count() {
      const row = await db
        .selectFrom('users')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
  };
}

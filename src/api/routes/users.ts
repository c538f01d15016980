// Users (api.md "Users"): administrators manage accounts; everyone reads and tunes their own (`/me`).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { type Static, Type } from 'typebox';
import { canonicalTimeZone, hasWorkingHours, parseWorkingDays } from '../../domain/calendar.js';
import type { EngineDeps } from '../../engine/deps.js';
import { updateUser } from '../../engine/owner-calendar.js';
import {
  DEFAULT_WORKING_HOURS,
  ROLES,
  type User,
  type UserPatch,
  WEEKDAYS,
  type WorkingHours,
} from '../../engine/ports/store.js';
import { actorOf, EVERYONE, requireRole } from '../auth/actor.js';
import { hashPassword, MIN_PASSWORD_LENGTH } from '../auth/password.js';
import { badRequest, notFound, type ProblemDetail, ProblemError } from '../problem.js';
import { IdParams, Instant, iso, PageOf, PageQuery, Problem, pageOptions } from '../schemas.js';

const Role = Type.Enum(ROLES);
const Interval = Type.Array(Type.String({ pattern: '^\\d{2}:\\d{2}$' }), { minItems: 2, maxItems: 2 });
const WorkingHoursSchema = Type.Object(
  Object.fromEntries(WEEKDAYS.map((day) => [day, Type.Optional(Type.Array(Interval, { maxItems: 24 }))])),
  {
    additionalProperties: false,
    description:
      '`mon`…`sun` → `["HH:MM", "HH:MM"]` intervals in the user\'s zone; `[]` is a day off. A day left out keeps its hours (PATCH) or takes the default (POST: Monday–Friday 08:00–17:00).',
  },
);
const TimeOffSchema = Type.Array(
  Type.Object({ start: Instant, end: Instant }, { additionalProperties: false }),
  {
    maxItems: 500,
  },
);
const Email = Type.String({ pattern: '^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$', maxLength: 320 });
// Not blank: a name of spaces would be stored as an empty one.
const Name = Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' });
const Password = Type.String({ minLength: MIN_PASSWORD_LENGTH, maxLength: 1024 });
const TimeZone = Type.String({
  minLength: 1,
  maxLength: 100,
  description: 'IANA time zone, e.g. Europe/Paris.',
});

export const UserView = Type.Object({
  id: Type.String(),
  email: Type.String(),
  name: Type.String(),
  role: Role,
  timezone: Type.String(),
  workingHours: Type.Record(Type.String(), Type.Array(Type.Array(Type.String()))),
  timeOff: Type.Array(Type.Object({ start: Instant, end: Instant })),
  disabled: Type.Boolean(),
  createdAt: Instant,
  updatedAt: Instant,
});

export function toUserView(user: User): Static<typeof UserView> {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    role: user.role,
    timezone: user.timezone,
    workingHours: user.workingHours,
    timeOff: user.timeOff.map((t) => ({ start: iso(t.start), end: iso(t.end) })),
    disabled: user.disabled,
    createdAt: iso(user.createdAt),
    updatedAt: iso(user.updatedAt),
  };
}

const NewUserBody = Type.Object(
  {
    email: Email,
    name: Name,
    role: Role,
    password: Type.Optional(Password),
    timezone: Type.Optional(TimeZone),
    workingHours: Type.Optional(WorkingHoursSchema),
    timeOff: Type.Optional(TimeOffSchema),
  },
  { additionalProperties: false },
);

const UserPatchBody = Type.Object(
  {
    email: Type.Optional(Email),
    name: Type.Optional(Name),
    role: Type.Optional(Role),
    password: Type.Optional(Password),
    timezone: Type.Optional(TimeZone),
    workingHours: Type.Optional(WorkingHoursSchema),
    timeOff: Type.Optional(TimeOffSchema),
    disabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

const MePatchBody = Type.Object(
  {
    name: Type.Optional(Name),
    timezone: Type.Optional(TimeZone),
    workingHours: Type.Optional(WorkingHoursSchema),
    timeOff: Type.Optional(TimeOffSchema),
  },
  { additionalProperties: false },
);

const MeView = Type.Object({
  ...UserView.properties,
  mailbox: Type.Union([Type.Literal('own'), Type.Literal('default'), Type.Literal('none')], {
    description:
      "Which mailbox sends this user's emails: their own, the installation's (stored or STEPWISE_SMTP_URL), or none yet (emails wait in the outbox until an administrator configures one).",
  }),
  csrfToken: Type.Union([Type.String(), Type.Null()], {
    description:
      "The session's CSRF token (send as X-CSRF-Token on cookie-authenticated writes); null for API tokens.",
  }),
});

interface CalendarInput {
  timezone?: string;
  workingHours?: unknown;
  timeOff?: { start: string; end: string }[];
}

/**
 * Time off lies within these: a step pushed past a time off ending in year 9999 was due in year 10000,
 * which no ISO date can say, and every answer naming it failed (found by an audit).
 */
const TIME_OFF_EARLIEST = Date.UTC(1970, 0, 1);
const TIME_OFF_LATEST = Date.UTC(2100, 0, 1);

/** Periods in time order, overlapping or touching ones made one (as working hours are merged). */
function mergedTimeOff(list: readonly { start: number; end: number }[]): { start: number; end: number }[] {
  const merged: { start: number; end: number }[] = [];
  for (const t of [...list].sort((a, b) => a.start - b.start || a.end - b.end)) {
    const last = merged.at(-1);
    if (last !== undefined && t.start <= last.end) last.end = Math.max(last.end, t.end);
    else merged.push({ ...t });
  }
  return merged;
}

/**
 * Time zone, working hours and time off, checked beyond their shape; 400 with every problem found.
 * Working hours hold the days given; with `week` (a new user's default week, which the others take),
 * a week left without working hours is refused here (for a change, by updateUser on the stored week).
 */
function calendarPatch(
  input: CalendarInput,
  week?: WorkingHours,
): Pick<UserPatch, 'timezone' | 'workingHours' | 'timeOff'> {
  const errors: ProblemDetail[] = [];
  const patch: Pick<UserPatch, 'timezone' | 'workingHours' | 'timeOff'> = {};
  if (input.timezone !== undefined) {
    const zone = canonicalTimeZone(input.timezone);
    if (zone !== null) patch.timezone = zone;
    else
      errors.push({
        code: 'invalid_timezone',
        path: '/timezone',
        message: `"${input.timezone}" is not an IANA time zone.`,
      });
  }
  if (input.workingHours !== undefined) {
    const parsed = parseWorkingDays(input.workingHours);
    if (parsed.ok) patch.workingHours = parsed.value;
    else
      for (const e of parsed.errors)
        errors.push({ code: 'invalid_working_hours', path: `/workingHours${e.path}`, message: e.message });
  }
  if (week !== undefined && errors.length === 0 && !hasWorkingHours({ ...week, ...patch.workingHours }))
    errors.push({
      code: 'invalid_working_hours',
      path: '/workingHours',
      message: 'At least one day needs working hours.',
    });
  if (input.timeOff !== undefined) {
    const list = input.timeOff.map((t) => ({ start: Date.parse(t.start), end: Date.parse(t.end) }));
    list.forEach((t, i) => {
      if (!Number.isFinite(t.start) || !Number.isFinite(t.end) || t.end <= t.start)
        errors.push({
          code: 'invalid_time_off',
          path: `/timeOff/${i}`,
          message: 'A time off needs a start before its end.',
        });
      else if (t.start < TIME_OFF_EARLIEST || t.end > TIME_OFF_LATEST)
        errors.push({
          code: 'invalid_time_off',
          path: `/timeOff/${i}`,
          message: 'A time off lies between 1970 and 2100.',
        });
    });
    patch.timeOff = mergedTimeOff(list);
  }
  if (errors.length > 0) throw badRequest('The calendar is not valid.', errors);
  return patch;
}

export const userRoutes: FastifyPluginAsyncTypebox<{ deps: EngineDeps; smtpUrl: string | null }> = async (
  app,
  { deps, smtpUrl },
) => {
  const { store } = deps;
  // As the sender chooses (engine/outbox-sender.ts): the owner's mailbox, the stored default, STEPWISE_SMTP_URL.
  const mailboxOf = async (userId: string): Promise<'own' | 'default' | 'none'> => {
    if ((await store.mailboxes.forUser(userId)) !== null) return 'own';
    return smtpUrl !== null || (await store.mailboxes.forUser(null)) !== null ? 'default' : 'none';
  };
  const adminOnly = requireRole('admin');

  app.post(
    '/api/users',
    {
      preHandler: adminOnly,
      schema: {
        tags: ['users'],
        summary: 'Create a user',
        body: NewUserBody,
        response: { 201: UserView, 409: Problem },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const calendar = calendarPatch(body, DEFAULT_WORKING_HOURS);
      const user = await store.users.create({
        id: deps.ids.newId('usr'),
        email: body.email.trim(),
        name: body.name.trim(),
        role: body.role,
        passwordHash: body.password === undefined ? null : await hashPassword(body.password),
        ...calendar,
        workingHours: { ...DEFAULT_WORKING_HOURS, ...calendar.workingHours },
        createdAt: deps.clock.now(),
      });
      request.log.info({ userId: user.id, actorId: actorOf(request).id }, 'user created');
      return reply.status(201).send(toUserView(user));
    },
  );

  app.get(
    '/api/users',
    {
      preHandler: adminOnly,
      schema: {
        tags: ['users'],
        summary: 'List users',
        querystring: Type.Object({ role: Type.Optional(Role), ...PageQuery }),
        response: { 200: PageOf(UserView) },
      },
    },
    async (request) => {
      const page = await store.users.list({ ...pageOptions(request.query), role: request.query.role });
      return { items: page.items.map(toUserView), nextCursor: page.nextCursor };
    },
  );

  // Names for owner filters and "owned by" columns: every signed-in user may see who their colleagues
  // are (id, name, role) — not their e-mail addresses, calendars or whether they are disabled.
  const DirectoryEntry = Type.Object({
    id: Type.String(),
    name: Type.String(),
    role: Role,
    timezone: Type.String({
      description: "The user's IANA time zone: a manager reads a seller's work list in it.",
    }),
  });
  app.get(
    '/api/users/directory',
    {
      preHandler: requireRole(...EVERYONE),
      schema: {
        tags: ['users'],
        summary: 'Names of the active users (for owner filters), to every signed-in user',
        querystring: Type.Object({ role: Type.Optional(Role), ...PageQuery }),
        response: { 200: PageOf(DirectoryEntry) },
      },
    },
    async (request) => {
      const page = await store.users.list({ ...pageOptions(request.query), role: request.query.role });
      return {
        items: page.items
          .filter((u) => !u.disabled)
          .map((u) => ({ id: u.id, name: u.name, role: u.role, timezone: u.timezone })),
        nextCursor: page.nextCursor,
      };
    },
  );

  app.get(
    '/api/users/me',
    {
      preHandler: requireRole(...EVERYONE),
      schema: { tags: ['users'], summary: 'The signed-in user', response: { 200: MeView } },
    },
    async (request) => {
      const actor = actorOf(request);
      const user = await store.users.get(actor.id);
      if (user === null) throw notFound('No such user.');
      return { ...toUserView(user), mailbox: await mailboxOf(user.id), csrfToken: actor.csrfToken };
    },
  );

  app.patch(
    '/api/users/me',
    {
      preHandler: requireRole(...EVERYONE),
      schema: {
        tags: ['users'],
        summary: 'Change your own name, time zone, working hours or time off',
        body: MePatchBody,
        response: { 200: UserView },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const { name, ...calendar } = request.body;
      // A calendar change moves the user's scheduled steps with it (engine/owner-calendar.ts).
      const user = await updateUser(deps, actor.id, {
        ...(name === undefined ? {} : { name: name.trim() }),
        ...calendarPatch(calendar),
      });
      if (user === null) throw notFound('No such user.');
      return toUserView(user);
    },
  );

  app.get(
    '/api/users/:id',
    {
      preHandler: adminOnly,
      schema: {
        tags: ['users'],
        summary: 'One user',
        params: IdParams,
        response: { 200: UserView, 404: Problem },
      },
    },
    async (request) => {
      const user = await store.users.get(request.params.id);
      if (user === null) throw notFound('No such user.');
      return toUserView(user);
    },
  );

  app.patch(
    '/api/users/:id',
    {
      preHandler: adminOnly,
      schema: {
        tags: ['users'],
        summary: 'Change a user (role, calendar, password, disabled)',
        params: IdParams,
        body: UserPatchBody,
        response: { 200: UserView, 404: Problem, 409: Problem },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const { email, name, role, password, disabled, ...calendar } = request.body;
      if (request.params.id === actor.id && (disabled === true || (role !== undefined && role !== 'admin')))
        throw new ProblemError(
          409,
          'conflict',
          'You cannot disable yourself or give up your own administrator role.',
        );
      const patch: UserPatch = {
        ...calendarPatch(calendar),
        ...(email === undefined ? {} : { email: email.trim() }),
        ...(name === undefined ? {} : { name: name.trim() }),
        ...(role === undefined ? {} : { role }),
        ...(disabled === undefined ? {} : { disabled }),
        ...(password === undefined ? {} : { passwordHash: await hashPassword(password) }),
      };
      const user = await updateUser(deps, request.params.id, patch);
      if (user === null) throw notFound('No such user.');
      // A new password or a disabled account ends every session of that user.
      if (password !== undefined || disabled === true) await store.sessions.deleteForUser(user.id);
      request.log.info({ userId: user.id, actorId: actor.id }, 'user changed');
      return toUserView(user);
    },
  );
};

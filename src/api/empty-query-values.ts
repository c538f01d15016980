// A query parameter sent empty (`?type=&ownerId=&q=`) is one not sent. api.md writes its lists' parameters
// that way, and clients build query strings from forms or objects whose unset fields come out empty: otherwise
// `type=` would be a 400 (not a record type), `ownerId=` a salesperson's 403 and a manager's empty page,
// where `q=` and `cursor=` already read as absent. Runs before validation, for every route alike.
import type { FastifyRequest } from 'fastify';

export async function emptyQueryValuesAreAbsent(request: FastifyRequest): Promise<void> {
  const query = request.query;
  if (query === null || typeof query !== 'object') return;
  const values = query as Record<string, unknown>;
  for (const key of Object.keys(values)) {
    const value = values[key];
    if (value === '') delete values[key];
    else if (Array.isArray(value)) {
      const given = value.filter((item) => item !== '');
      if (given.length === 0) delete values[key];
      else values[key] = given.length === 1 ? given[0] : given;
    }
  }
}

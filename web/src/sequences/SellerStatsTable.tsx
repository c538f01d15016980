// The Stats tab's "By seller" table: per seller, the records connected, running and how the others ended,
// with rates, sortable by each column; the team's total under them. On a phone it scrolls in its own box
// (which takes focus, so a keyboard scrolls it too), the seller's name staying in view.
import { useId, useMemo } from 'react';
import type { SellerStatsAnswer } from '../api/types.js';
import { useAddressParams } from '../app/use-address-params';
import { SortableHeader } from '../ui/SortableHeader.js';
import { Empty, ErrorState, Loading } from '../ui/states.js';
import type { Resource } from '../ui/use-resource.js';
import {
  DEFAULT_SELLER_SORT,
  nextSellerSort,
  SELLER_COLUMNS,
  type SellerRow,
  type SellerSort,
  sellerRow,
  sellerSortOf,
  sellerSortParam,
  sortSellerRows,
  teamRow,
} from './seller-table.js';
import { percent } from './stats-data.js';

export function SellerStatsTable({
  sellers,
  version,
}: {
  sellers: Resource<SellerStatsAnswer>;
  version: number | null;
}) {
  const headingId = useId();
  // Kept in the address beside the version (`?tab=stats&by=replyRate-desc`), replacing its entry.
  const [params, setParams] = useAddressParams();
  const sort = sellerSortOf(params.get('by'));
  const setSort = (next: SellerSort) =>
    setParams(
      (current) => {
        const updated = new URLSearchParams(current);
        const value = sellerSortParam(next);
        if (value === null) updated.delete('by');
        else updated.set('by', value);
        return updated;
      },
      { replace: true },
    );
  const rows = useMemo(() => (sellers.data?.sellers ?? []).map(sellerRow), [sellers.data]);
  const sorted = useMemo(() => sortSellerRows(rows, sort), [rows, sort]);
  return (
    <section className="chart seller-stats" aria-labelledby={headingId}>
      <h3 id={headingId} className="seller-stats-title">
        By seller
      </h3>
      {sellers.status === 'error' ? (
        <ErrorState error={sellers.error} onRetry={sellers.reload} />
      ) : sellers.data === undefined ? (
        <Loading label="Loading the sellers' figures…" />
      ) : rows.length === 0 ? (
        <Empty title="No seller has records here yet">
          {version === null
            ? "Each seller's records appear here once they are connected to this sequence."
            : `No seller's records ran version ${version}.`}
        </Empty>
      ) : (
        <>
          <p className="muted seller-stats-note">
            Each record connected counts for its owner: the seller who works it, or who had it when it ended.
            Rates are of the records; Replied counts those a reply took out of the sequence (exit on reply).
          </p>
          {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region takes focus (axe scrollable-region-focusable) */}
          <section className="table-wrap seller-table-wrap" tabIndex={0} aria-label="Figures by seller">
            <table className="table seller-table" aria-busy={sellers.status === 'loading'}>
              <caption className="visually-hidden">
                Records of this sequence by seller
                {sort.key === DEFAULT_SELLER_SORT.key && sort.ascending
                  ? ''
                  : `, sorted by ${SELLER_COLUMNS.find((c) => c.key === sort.key)?.label ?? ''}, ${
                      sort.ascending ? 'ascending' : 'descending'
                    }`}
              </caption>
              <thead>
                <tr>
                  {SELLER_COLUMNS.map((c) => (
                    <SortableHeader
                      key={c.key}
                      label={c.label}
                      active={sort.key === c.key}
                      ascending={sort.ascending}
                      onSort={() => setSort(nextSellerSort(sort, c.key))}
                    />
                  ))}
                </tr>
              </thead>
              <tbody>
                {sorted.map((row) => (
                  <SellerTableRow key={row.ownerId} row={row} />
                ))}
              </tbody>
              {rows.length > 1 && (
                <tfoot>
                  <SellerTableRow row={teamRow(rows)} />
                </tfoot>
              )}
            </table>
          </section>
        </>
      )}
    </section>
  );
}

function SellerTableRow({ row }: { row: SellerRow }) {
  return (
    <tr>
      <th scope="row">
        {row.name}
        {!row.activeUser && <span className="row-sub">Inactive user</span>}
      </th>
      {SELLER_COLUMNS.slice(1).map((c) => {
        const value = row[c.key];
        return <td key={c.key}>{c.rate === true ? percent(value as number | null) : value}</td>;
      })}
    </tr>
  );
}

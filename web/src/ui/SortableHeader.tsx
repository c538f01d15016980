// A column header that sorts its table: the header says how the table is sorted now (aria-sort), and its
// button turns the order round (the caller decides what a click does, see nextSellerSort).
export function SortableHeader({
  label,
  active,
  ascending,
  onSort,
}: {
  label: string;
  /** The table is sorted by this column. */
  active: boolean;
  ascending: boolean;
  onSort: () => void;
}) {
  return (
    <th scope="col" aria-sort={active ? (ascending ? 'ascending' : 'descending') : 'none'}>
      <button type="button" className="sort-button" onClick={onSort}>
        {label}
        <span aria-hidden="true" className="sort-mark">
          {active ? (ascending ? '▲' : '▼') : ''}
        </span>
      </button>
    </th>
  );
}
